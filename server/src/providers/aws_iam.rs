//! AWS IAM: an IAM user per lease with an access key, attached policies and
//! groups. Revocation deletes the keys, detaches and deletes policies, leaves
//! the groups, then deletes the user (real IAM refuses DeleteUser before that).
//! No native expiry: renewal only moves the lease's own expiry.
use std::collections::BTreeMap;

use async_trait::async_trait;
use reqwest::StatusCode;
use secrecy::SecretString;

use super::naming;
use super::{
    handle_username, http, sigv4, FieldKind, FieldSpec, Handle, Issued, OutputSpec, Provider, ProviderConfig,
    ProviderError,
};

const DEFAULT_ENDPOINT: &str = "https://iam.amazonaws.com";
const VERSION: &str = "2010-05-08";

const FIELDS: &[FieldSpec] = &[
    FieldSpec {
        id: "region",
        label: "Region",
        kind: FieldKind::Text,
        required: true,
        default: Some("us-east-1"),
        help: "",
    },
    FieldSpec {
        id: "access_key_id",
        label: "Access key ID",
        kind: FieldKind::Text,
        required: true,
        default: None,
        help: "",
    },
    FieldSpec {
        id: "secret_access_key",
        label: "Secret access key",
        kind: FieldKind::Password,
        required: true,
        default: None,
        help: "",
    },
    FieldSpec {
        id: "endpoint_url",
        label: "Endpoint URL",
        kind: FieldKind::Text,
        required: false,
        default: None,
        help: "Leave empty for AWS (https://iam.amazonaws.com).",
    },
    FieldSpec {
        id: "iam_path",
        label: "IAM path",
        kind: FieldKind::Text,
        required: false,
        default: Some("/"),
        help: "",
    },
    FieldSpec {
        id: "policy_arns",
        label: "Policy ARNs",
        kind: FieldKind::Text,
        required: false,
        default: None,
        help: "Comma-separated managed policies to attach.",
    },
    FieldSpec {
        id: "groups",
        label: "Groups",
        kind: FieldKind::Text,
        required: false,
        default: None,
        help: "Comma-separated.",
    },
    FieldSpec {
        id: "permissions_boundary_arn",
        label: "Permissions boundary ARN",
        kind: FieldKind::Text,
        required: false,
        default: None,
        help: "",
    },
    naming::USERNAME_TEMPLATE,
];

const OUTPUTS: &[OutputSpec] = &[
    OutputSpec { id: "username", default_key: "AWS_USERNAME", secret: false },
    OutputSpec { id: "access_key_id", default_key: "AWS_ACCESS_KEY_ID", secret: false },
    OutputSpec { id: "secret_access_key", default_key: "AWS_SECRET_ACCESS_KEY", secret: true },
];

#[derive(Default)]
pub struct AwsIam;

fn list(c: &ProviderConfig, id: &str) -> Vec<String> {
    c.str(id).unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

/// IAM's name alphabet `[\w+=,.@-]`.
fn iam_name(s: &str) -> bool {
    (1..=128).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

fn arn(s: &str) -> bool {
    s.starts_with("arn:") && s.len() <= 2048 && s.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-/:*".contains(c))
}

/// The text of every `<tag>…</tag>`, unescaped.
fn tags(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = vec![];
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else { break };
        out.push(
            after[..end]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        );
        rest = &after[end + close.len()..];
    }
    out
}

/// The outcome of one IAM call: the response XML, or `None` for NoSuchEntity.
type Answer = Result<Option<String>, ProviderError>;

async fn call(c: &ProviderConfig, action: &str, params: &[(&str, &str)]) -> Answer {
    let endpoint = c.str("endpoint_url").unwrap_or(DEFAULT_ENDPOINT).trim_end_matches('/');
    let url = reqwest::Url::parse(endpoint).map_err(|_| ProviderError::rejected("The endpoint URL is not valid."))?;
    let host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    };
    let mut all = vec![("Action", action), ("Version", VERSION)];
    all.extend_from_slice(params);
    let body = sigv4::form(&all);
    let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let secret = c.str("secret_access_key").unwrap_or_default();
    let authorization = sigv4::authorization(&sigv4::Request {
        host: &host,
        region: c.str("region").unwrap_or("us-east-1"),
        service: "iam",
        access_key_id: c.str("access_key_id").unwrap_or_default(),
        secret_access_key: secret,
        amz_date: &amz_date,
        body: &body,
    });
    let resp = http::client()
        .post(format!("{endpoint}/"))
        .header("content-type", sigv4::CONTENT_TYPE)
        .header("x-amz-date", amz_date)
        .header("authorization", authorization)
        .body(body)
        .send()
        .await
        .map_err(|e| http::transport("AWS IAM", e))?;
    let status = resp.status();
    let xml = resp.text().await.map_err(|e| http::transport("AWS IAM", e))?;
    if status.is_success() {
        return Ok(Some(xml));
    }
    let code = tags(&xml, "Code").into_iter().next().unwrap_or_default();
    if code == "NoSuchEntity" {
        return Ok(None);
    }
    let message = tags(&xml, "Message").into_iter().next().unwrap_or_else(|| status.to_string());
    let e = format!("AWS IAM {action}: {code} {message}");
    Err(if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        ProviderError::unreachable(e)
    } else {
        ProviderError::rejected(e)
    }
    .scrubbed(&[secret.to_string()]))
}

/// Like [`call`], where NoSuchEntity is an error (the thing must exist).
async fn must(c: &ProviderConfig, action: &str, params: &[(&str, &str)]) -> Result<String, ProviderError> {
    call(c, action, params).await?.ok_or_else(|| ProviderError::rejected(format!("AWS IAM {action}: NoSuchEntity")))
}

#[async_trait]
impl Provider for AwsIam {
    fn kind(&self) -> &'static str {
        "aws_iam"
    }
    fn name(&self) -> &'static str {
        "AWS IAM"
    }
    fn fields(&self) -> &'static [FieldSpec] {
        FIELDS
    }
    fn outputs(&self) -> &'static [OutputSpec] {
        OUTPUTS
    }

    fn check(&self, c: &ProviderConfig) -> Result<(), String> {
        if let Some(url) = c.str("endpoint_url") {
            http::check_url(url)?;
        }
        let region = c.str("region").unwrap_or_default();
        if !(1..=32).contains(&region.len())
            || !region.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
        {
            return Err("config.region must look like us-east-1.".into());
        }
        let path = c.str("iam_path").unwrap_or("/");
        let path_ok = path.starts_with('/')
            && path.ends_with('/')
            && path.len() <= 512
            && path.chars().all(|ch| ('!'..='~').contains(&ch));
        if !path_ok {
            return Err("config.iam_path must start and end with / and hold printable ASCII only.".into());
        }
        if let Some(bad) = list(c, "groups").into_iter().find(|g| !iam_name(g)) {
            return Err(format!("config.groups: {bad:?} is not an IAM group name."));
        }
        let arns = list(c, "policy_arns").into_iter().chain(c.str("permissions_boundary_arn").map(String::from));
        if let Some(bad) = arns.into_iter().find(|a| !arn(a)) {
            return Err(format!("{bad:?} is not an ARN."));
        }
        Ok(())
    }

    async fn verify(&self, c: &ProviderConfig) -> Result<(), ProviderError> {
        must(c, "ListUsers", &[("MaxItems", "1")]).await.map(|_| ())
    }

    async fn create(&self, c: &ProviderConfig, handle: &mut Handle, _: i64) -> Result<Issued, ProviderError> {
        let name = handle_username(handle)?.to_string();
        let path = c.str("iam_path").unwrap_or("/");
        let mut params = vec![("UserName", name.as_str()), ("Path", path)];
        if let Some(boundary) = c.str("permissions_boundary_arn") {
            params.push(("PermissionsBoundary", boundary));
        }
        must(c, "CreateUser", &params).await?;
        let rest = async {
            for policy in list(c, "policy_arns") {
                must(c, "AttachUserPolicy", &[("UserName", &name), ("PolicyArn", &policy)]).await?;
            }
            for group in list(c, "groups") {
                must(c, "AddUserToGroup", &[("UserName", &name), ("GroupName", &group)]).await?;
            }
            let key = must(c, "CreateAccessKey", &[("UserName", &name)]).await?;
            let id = tags(&key, "AccessKeyId").into_iter().next();
            let secret = tags(&key, "SecretAccessKey").into_iter().next();
            id.zip(secret).ok_or_else(|| ProviderError::rejected("AWS IAM CreateAccessKey gave no key."))
        };
        match rest.await {
            Ok((id, secret)) => {
                handle.insert("access_key_id".into(), id.clone().into());
                Ok(Issued(BTreeMap::from([
                    ("username", SecretString::from(name)),
                    ("access_key_id", SecretString::from(id)),
                    ("secret_access_key", SecretString::from(secret)),
                ])))
            }
            Err(e) => {
                let _ = self.revoke(c, handle).await;
                Err(e)
            }
        }
    }

    async fn renew(&self, _: &ProviderConfig, _: &Handle, _: i64) -> Result<(), ProviderError> {
        Ok(())
    }

    async fn revoke(&self, c: &ProviderConfig, handle: &Handle) -> Result<(), ProviderError> {
        let name = handle_username(handle)?;
        let user = ("UserName", name);
        let max = ("MaxItems", "1000");
        // Any NoSuchEntity on the way means the user is already gone.
        let Some(keys) = call(c, "ListAccessKeys", &[user, max]).await? else { return Ok(()) };
        for key in tags(&keys, "AccessKeyId") {
            call(c, "DeleteAccessKey", &[user, ("AccessKeyId", &key)]).await?;
        }
        let Some(attached) = call(c, "ListAttachedUserPolicies", &[user, max]).await? else { return Ok(()) };
        for policy in tags(&attached, "PolicyArn") {
            call(c, "DetachUserPolicy", &[user, ("PolicyArn", &policy)]).await?;
        }
        let Some(inline) = call(c, "ListUserPolicies", &[user, max]).await? else { return Ok(()) };
        for policy in tags(&inline, "member") {
            call(c, "DeleteUserPolicy", &[user, ("PolicyName", &policy)]).await?;
        }
        let Some(groups) = call(c, "ListGroupsForUser", &[user, max]).await? else { return Ok(()) };
        for group in tags(&groups, "GroupName") {
            call(c, "RemoveUserFromGroup", &[user, ("GroupName", &group)]).await?;
        }
        call(c, "DeleteUser", &[user]).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_iam_xml() {
        let xml = "<R><AccessKeyId>AKIA1</AccessKeyId><X/><AccessKeyId>AKIA&amp;2</AccessKeyId></R>";
        assert_eq!(super::tags(xml, "AccessKeyId"), ["AKIA1", "AKIA&2"]);
        assert!(super::iam_name("lh_ab-c.d@e") && !super::iam_name("a b") && !super::iam_name("a/b"));
        assert!(super::arn("arn:aws:iam::aws:policy/ReadOnlyAccess") && !super::arn("arn:x\"y"));
    }
}
