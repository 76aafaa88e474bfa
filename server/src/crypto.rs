//! Envelope encryption. The instance master key wraps each app's data key;
//! the app key seals that app's secret material. AES-256-GCM-SIV with a random
//! 96-bit nonce stored in front of the ciphertext; the associated data binds a
//! ciphertext to what it belongs to, so it cannot be moved elsewhere.
use std::io::Write;
use std::path::Path;

use aes_gcm_siv::aead::{Aead, KeyInit, Payload};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox};

const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("ciphertext could not be opened (wrong key, wrong context or tampered)")]
    Open,
    #[error("master key file: {0}")]
    KeyFile(String),
}

/// 32 secret bytes that neither print nor serialize.
pub struct Key(SecretBox<[u8; 32]>);

impl Key {
    pub fn random() -> Self {
        let mut k = Box::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(k.as_mut());
        Key(SecretBox::new(k))
    }

    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        Key(SecretBox::new(Box::new(*bytes)))
    }

    fn cipher(&self) -> Aes256GcmSiv {
        Aes256GcmSiv::new(self.0.expose_secret().into())
    }

    /// Encrypts `plaintext`, bound to `aad`: `nonce || ciphertext+tag`.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut out = nonce.to_vec();
        // Encryption with a valid key and nonce length cannot fail.
        if let Ok(ct) = self.cipher().encrypt(&Nonce::from(nonce), Payload { msg: plaintext, aad }) {
            out.extend_from_slice(&ct);
        }
        out
    }

    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < NONCE_LEN + 16 {
            return Err(CryptoError::Open);
        }
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| CryptoError::Open)?;
        self.cipher().decrypt(&Nonce::from(nonce), Payload { msg: ct, aad }).map_err(|_| CryptoError::Open)
    }
}

/// The instance master key: wraps app data keys, nothing else.
pub struct MasterKey(Key);

impl MasterKey {
    pub fn new(key: Key) -> Self {
        MasterKey(key)
    }

    /// Reads `master.key` from the data dir, creating it (mode 0600) on first start.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, CryptoError> {
        let path = data_dir.join("master.key");
        let err = |e: std::io::Error| CryptoError::KeyFile(format!("{}: {e}", path.display()));
        match std::fs::read(&path) {
            Ok(bytes) => {
                let key: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| CryptoError::KeyFile(format!("{} is not 32 bytes", path.display())))?;
                Ok(MasterKey(Key(SecretBox::new(Box::new(key)))))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(data_dir).map_err(err)?;
                let key = Key::random();
                let mut file = open_private(&path).map_err(err)?;
                file.write_all(key.0.expose_secret()).map_err(err)?;
                file.sync_all().map_err(err)?;
                Ok(MasterKey(key))
            }
            Err(e) => Err(err(e)),
        }
    }

    /// Wraps a fresh data key for `app_id`; returns the key and its wrapped form.
    pub fn new_app_key(&self, app_id: &str) -> (AppKey, Vec<u8>) {
        let key = Key::random();
        let wrapped = self.0.seal(key.0.expose_secret(), app_id.as_bytes());
        (AppKey(key), wrapped)
    }

    pub fn unwrap_app_key(&self, app_id: &str, wrapped: &[u8]) -> Result<AppKey, CryptoError> {
        let bytes = self.0.open(wrapped, app_id.as_bytes())?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::Open)?;
        Ok(AppKey(Key(SecretBox::new(Box::new(key)))))
    }
}

/// An app's data key, for sealing that app's secret material.
pub struct AppKey(Key);

impl AppKey {
    /// `context` names what is sealed (e.g. a dynamic secret's id), so a
    /// ciphertext copied onto another row fails to open.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Vec<u8> {
        self.0.seal(plaintext, context.as_bytes())
    }

    pub fn open(&self, sealed: &[u8], context: &str) -> Result<Vec<u8>, CryptoError> {
        self.0.open(sealed, context.as_bytes())
    }
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_app_key_opens_only_with_its_master_key_and_app_id() {
        let master = MasterKey::new(Key::random());
        let (key, wrapped) = master.new_app_key("app-1");
        let sealed = key.seal(b"root password", "secret-9");

        let again = master.unwrap_app_key("app-1", &wrapped).unwrap();
        assert_eq!(again.open(&sealed, "secret-9").unwrap(), b"root password");

        assert!(master.unwrap_app_key("app-2", &wrapped).is_err(), "wrong app id");
        let other = MasterKey::new(Key::random());
        assert!(other.unwrap_app_key("app-1", &wrapped).is_err(), "wrong master key");
    }

    #[test]
    fn tampering_or_another_context_fails_to_open() {
        let (key, _) = MasterKey::new(Key::random()).new_app_key("a");
        let sealed = key.seal(b"value", "ctx");
        for i in [0, NONCE_LEN, sealed.len() - 1] {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert!(key.open(&bad, "ctx").is_err(), "flipped byte {i}");
        }
        assert!(key.open(&sealed, "other").is_err());
        assert!(key.open(&sealed[..10], "ctx").is_err());
        assert_ne!(key.seal(b"value", "ctx"), sealed, "nonces are random");
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = std::env::temp_dir().join(format!("lh-key-{}", uuid::Uuid::new_v4()));
        let a = MasterKey::load_or_create(&dir).unwrap();
        let (_, wrapped) = a.new_app_key("x");
        let b = MasterKey::load_or_create(&dir).unwrap();
        assert!(b.unwrap_app_key("x", &wrapped).is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("master.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
