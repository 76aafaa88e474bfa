import { test, expect, type Browser, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { Api, adminToken, email, hydrated, login, signupApi } from './helpers';

// Dynamic secrets in the browser, against the password-checked PostgreSQL
// cluster on 5433 (.ci/pg-scram.sh): every credential the console shows is
// tried against the real server with psql.
test.describe.configure({ mode: 'serial' });

const PG = { host: '127.0.0.1', port: 5433, database: 'postgres', username: 'postgres', password: 'leasehold-root' };
const owner = email('dyn-owner');
const dev = email('dyn-dev');
const viewer = email('dyn-viewer');
let api: Api;
let orgId = '';
let appId = '';
let envId = '';
let appUrl = '';

/** Whether `user`/`password` can log in to the password-checked cluster. */
function canLogin(user: string, password: string, port = PG.port): boolean {
  try {
    execFileSync('psql', ['-h', PG.host, '-p', String(port), '-U', user, '-d', PG.database, '-Atc', 'select 1'], {
      env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' },
      stdio: 'pipe',
    });
    return true;
  } catch {
    return false;
  }
}

async function as(browser: Browser, address: string, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && console.log(`console: ${m.text()}`));
  await login(page, address);
  return { context, page };
}

async function open(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

const dialog = (page: Page, name: string | RegExp) => page.getByRole('dialog', { name });
const card = (page: Page, name: string) => page.getByRole('listitem', { name: `Dynamic secret ${name}` });

async function secretId(name: string): Promise<string> {
  const list = await api.call('GET', `/environments/${envId}/dynamic-secrets`);
  return list.find((s: { name: string }) => s.name === name).id;
}

async function createSecretApi(name: string, port = PG.port, extra: object = {}) {
  const config = { ...PG, port, ssl_mode: 'disable' };
  return api.call('POST', `/environments/${envId}/dynamic-secrets`,
    { name, provider: 'postgres', config, default_ttl: 600, max_ttl: 86400, ...extra }, 201);
}

test.beforeAll(async ({ playwright }) => {
  // Lives as long as the file's tests: the per-test `request` fixture does not.
  const request = await playwright.request.newContext({ baseURL: `http://127.0.0.1:${process.env.E2E_PORT ?? '3111'}` });
  await adminToken(request);
  for (const [who, name] of [[owner, 'Olivia Owner'], [dev, 'Dana Developer'], [viewer, 'Victor Viewer']]) {
    await signupApi(request, who, name);
  }
  api = await Api.as(request, owner);
  orgId = (await api.call('POST', '/orgs', { name: 'Globex' }, 201)).id;
  await api.call('POST', `/orgs/${orgId}/members`, { email: dev, role: 'developer' }, 201);
  await api.call('POST', `/orgs/${orgId}/members`, { email: viewer, role: 'viewer' }, 201);
  const app = await api.call('POST', `/orgs/${orgId}/apps`, { name: 'ledger' }, 201);
  appId = app.id;
  envId = app.environments.find((e: { slug: string }) => e.slug === 'development').id;
  appUrl = `/apps/${appId}?env=development`;
});

test('plan and SSE notices: the menu explains Enterprise, the dialog links to Settings', async ({ browser, request }) => {
  const { page, context } = await as(browser, owner);
  await open(page, appUrl);
  await page.getByRole('button', { name: 'New Secret' }).click();
  const item = page.getByRole('menuitem', { name: /Dynamic Secret/ });
  await expect(item).toContainText('Dynamic secrets require the Enterprise plan.');
  await expect(item).toHaveAttribute('aria-disabled', 'true');
  await page.screenshot({ path: 'test-results/dyn-01-menu-free-plan.png' });
  await item.click({ force: true });
  await expect(page.getByRole('dialog')).toHaveCount(0);

  const admin = new Api(request, await adminToken(request));
  await admin.call('PUT', `/orgs/${orgId}/plan`, { plan: 'enterprise' });
  await open(page, appUrl);
  await page.getByRole('button', { name: 'New Secret' }).click();
  await page.getByRole('menuitem', { name: /Dynamic Secret/ }).click();
  const d = dialog(page, 'New dynamic secret');
  await expect(d).toContainText('Server-side encryption must be enabled for this app');
  await page.screenshot({ path: 'test-results/dyn-02-sse-required.png' });
  await d.getByRole('link', { name: 'Settings' }).click();
  await expect(page).toHaveURL(new RegExp(`/apps/${appId}/settings$`));
  await hydrated(page);
  await page.getByRole('switch', { name: 'Server-side encryption' }).click();
  await expect(page.getByRole('switch', { name: 'Server-side encryption' })).toHaveAttribute('aria-checked', 'true');
  await context.close();
});

test('create: provider fields from metadata, TTLs checked as typed, the connection error in the dialog', async ({ browser }) => {
  const { page, context } = await as(browser, owner);
  await open(page, appUrl);
  await page.getByRole('button', { name: 'New Secret' }).click();
  await page.getByRole('menuitem', { name: /Dynamic Secret/ }).click();
  const d = dialog(page, 'New dynamic secret');
  await expect(d.getByRole('group', { name: 'Choose a provider, and then fill in the required fields.' })).toBeVisible();
  for (const p of ['PostgreSQL', 'MySQL / MariaDB', 'Redis', 'RabbitMQ', 'AWS IAM']) {
    await expect(d.getByRole('radio', { name: p })).toBeVisible();
  }
  await d.getByRole('radio', { name: 'PostgreSQL' }).check();
  await expect(d.getByLabel('Port')).toHaveValue('5432');
  await expect(d.getByLabel('Password')).toHaveAttribute('type', 'password');
  await d.getByLabel('Host').fill(PG.host);
  await d.getByLabel('Port').fill(String(PG.port));
  await d.getByLabel('Database').fill(PG.database);
  await d.getByRole('textbox', { name: 'Username', exact: true }).fill(PG.username);
  await d.getByLabel('Password').fill('not-the-root-password');
  await d.getByLabel('SSL mode').selectOption('disable');
  await page.screenshot({ path: 'test-results/dyn-03-create-step1.png' });
  await d.getByRole('button', { name: 'Next' }).click();

  await d.getByLabel('Secret Name').fill('orders-db');
  await d.getByLabel('Description').fill('Role for <b>orders</b>');
  await d.getByLabel('Max TTL').fill('86400');
  await d.getByLabel('Default TTL').fill('90000');
  await expect(d.getByText('Default TTL must not exceed the Max TTL (1 d).')).toBeVisible();
  await expect(d.getByRole('button', { name: 'Finish' })).toBeDisabled();
  await d.getByLabel('Default TTL').fill('600');
  await expect(d.getByText('Default TTL must not exceed')).toHaveCount(0);
  await expect(d.getByLabel('Key for username')).toHaveValue('DB_USERNAME');
  await expect(d.getByLabel('Key for password')).toHaveValue('DB_PASSWORD');
  await d.getByLabel('Key for username').fill('ORDERS_DB_USER');
  await page.screenshot({ path: 'test-results/dyn-04-create-step2.png' });

  // The wrong root password: the server's answer, in the dialog, nothing lost.
  await d.getByRole('button', { name: 'Finish' }).click();
  await expect(d.getByRole('alert').filter({ hasText: /password authentication failed/ })).toBeVisible();
  await page.screenshot({ path: 'test-results/dyn-05-create-connection-error.png' });
  await expect(d.getByLabel('Secret Name')).toHaveValue('orders-db');
  await d.getByRole('button', { name: 'Back' }).click();
  await expect(d.getByLabel('Host')).toHaveValue(PG.host);
  await d.getByLabel('Password').fill(PG.password);
  await d.getByRole('button', { name: 'Next' }).click();
  await expect(d.getByLabel('Key for username')).toHaveValue('ORDERS_DB_USER');
  await d.getByRole('button', { name: 'Finish' }).click();

  const c = card(page, 'orders-db');
  await expect(c).toBeVisible();
  await hydrated(page);
  await expect(c).toContainText('PostgreSQL');
  await expect(c).toContainText('Role for <b>orders</b>');
  await expect(c.getByLabel('Keys').getByText('ORDERS_DB_USER')).toBeVisible();
  await expect(c.getByLabel('Keys').getByText('DB_PASSWORD')).toBeVisible();
  await expect(c).toContainText('Default TTL10 min');
  await expect(c).toContainText('Max TTL1 d');
  await expect(c).toContainText('Active leases0');
  await page.screenshot({ path: 'test-results/dyn-06-secrets-list.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/dyn-06-secrets-list-390.png', fullPage: true });
  await context.close();
});

test('configure: current values, blank password unchanged, a moved host must re-enter it', async ({ browser }) => {
  const { page, context } = await as(browser, owner);
  await open(page, appUrl);
  await page.getByRole('button', { name: 'Configure orders-db' }).click();
  const d = dialog(page, 'Configure orders-db');
  await expect(d.getByLabel('Host')).toHaveValue(PG.host);
  await expect(d.getByLabel('Port')).toHaveValue(String(PG.port));
  await expect(d.getByLabel('Password')).toHaveValue('');
  await expect(d.getByLabel('Password')).toHaveAttribute('placeholder', /Unchanged/);
  await expect(d.getByRole('radio')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/dyn-07-configure.png' });

  await d.getByLabel('Host').fill('localhost');
  await d.getByRole('button', { name: 'Next' }).click();
  await expect(d.getByLabel('Secret Name')).toHaveValue('orders-db');
  await expect(d.getByLabel('Default TTL')).toHaveValue('600');
  await d.getByRole('button', { name: 'Finish' }).click();
  await expect(d.getByRole('alert').filter({ hasText: 'Enter the password again' })).toBeVisible();
  await d.getByRole('button', { name: 'Back' }).click();
  await d.getByLabel('Host').fill(PG.host);
  await d.getByRole('button', { name: 'Next' }).click();
  await d.getByLabel('Description').fill('Orders database, primary');
  await d.getByLabel('Default TTL').fill('900');
  await d.getByRole('button', { name: 'Finish' }).click();
  const c = card(page, 'orders-db');
  await expect(c).toContainText('Orders database, primary');
  await expect(c).toContainText('Default TTL15 min');
  await context.close();
});

let issuedUser = '';
let issuedPassword = '';

test('generate: TTL choices, hidden values, copy as .env, and the credentials log in', async ({ browser }) => {
  const { page, context } = await as(browser, owner);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await open(page, appUrl);
  await page.getByRole('button', { name: 'Generate orders-db' }).click();
  const d = dialog(page, 'Generate orders-db');
  await expect(d).toContainText('Provide a name for the lease, a TTL in seconds, and click Generate.');
  await expect(d.getByLabel('TTL (seconds)')).toHaveValue('900');
  await expect(d).toContainText('Max TTL 1 d (86400 s)');
  await d.getByRole('button', { name: '1 h' }).click();
  await expect(d.getByLabel('TTL (seconds)')).toHaveValue('3600');
  await d.getByLabel('Lease name').fill('ci-migrations');
  await page.screenshot({ path: 'test-results/dyn-08-generate.png' });
  await d.getByRole('button', { name: 'Generate' }).click();

  await expect(d).toContainText('The values will not be displayed again.');
  const password = d.getByLabel('Value of DB_PASSWORD');
  await expect(password).toHaveText(/^•+$/);
  await page.screenshot({ path: 'test-results/dyn-09-issued-hidden.png' });
  await d.getByRole('button', { name: 'Show DB_PASSWORD' }).click();
  await expect(password).not.toHaveText(/•/);
  await d.getByRole('button', { name: 'Show ORDERS_DB_USER' }).click();
  issuedUser = (await d.getByLabel('Value of ORDERS_DB_USER').textContent()) ?? '';
  issuedPassword = (await password.textContent()) ?? '';
  await expect(d.getByRole('button', { name: 'Hide DB_PASSWORD' })).toBeVisible();
  await d.getByRole('button', { name: 'Copy all as .env' }).click();
  await expect(d.getByRole('button', { name: 'Copied as .env' })).toBeVisible();
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  expect(clip).toContain(`ORDERS_DB_USER=${issuedUser}\n`);
  expect(clip).toContain('DB_PASSWORD=');
  await d.getByRole('button', { name: 'Copy DB_PASSWORD' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(issuedPassword);
  await expect(d.getByText(/^[0-9a-f-]{36}$/)).toBeVisible();
  await expect(d).toContainText('Expires');
  await page.screenshot({ path: 'test-results/dyn-10-issued-shown.png' });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/dyn-10-issued-shown-390.png' });
  await page.setViewportSize({ width: 1280, height: 800 });

  expect(issuedUser).toMatch(/^[a-z][a-z0-9_]+$/);
  expect(canLogin(issuedUser, issuedPassword)).toBe(true);
  expect(canLogin(issuedUser, 'wrong-password')).toBe(false);

  await d.getByRole('button', { name: 'Done' }).click();
  await expect(card(page, 'orders-db')).toContainText('Active leases1');
  await context.close();
});

test('leases: the countdown reaches zero and the row turns expired without a reload', async ({ browser }) => {
  const id = await secretId('orders-db');
  await api.call('POST', `/dynamic-secrets/${id}/leases`, { name: 'short-lived', ttl: 4 }, 201);
  const { page, context } = await as(browser, owner);
  await open(page, `/apps/${appId}/secrets/${id}`);
  await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
  const row = page.getByRole('row', { name: 'Lease short-lived' });
  await expect(row.getByRole('timer')).toHaveText(/^0:0[0-4]$/);
  await expect(row.locator('.badge')).toHaveText('active');
  await expect(row.getByRole('timer')).toHaveText('0:00', { timeout: 8000 });
  await expect(row.locator('.badge')).toHaveText('expired');
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  // The server agrees, and the row, re-read from it, offers no renewal or revocation.
  await expect.poll(async () => (await api.call('GET', `/dynamic-secrets/${id}/leases?status=all`))
    .find((l: { name: string }) => l.name === 'short-lived').status).toBe('expired');
  await expect(row.getByRole('button', { name: /Renew|Revoke/ })).toHaveCount(0);
  await expect(row.locator('.badge')).toHaveText('expired');
  await context.close();
});

test('leases: table, history, renew up to the available TTL, revoke', async ({ browser }) => {
  const id = await secretId('orders-db');
  const { page, context } = await as(browser, owner);
  await open(page, `/apps/${appId}/secrets/${id}`);
  const row = page.getByRole('row', { name: 'Lease ci-migrations' });
  await expect(row).toContainText('Olivia Owner');
  await expect(row.locator('.badge')).toHaveText('active');
  await expect(row.getByRole('timer')).toHaveText(/^5\d:\d\d$/);
  const leaseId = (await row.getByRole('cell').nth(1).locator('code').getAttribute('title')) ?? '';
  expect(leaseId).toMatch(/^[0-9a-f-]{36}$/);
  await page.screenshot({ path: 'test-results/dyn-11-leases.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/dyn-11-leases-390.png', fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  // History: creation with the browser's actor, IP and user agent.
  await row.getByRole('button', { name: 'History of ci-migrations' }).click();
  const h = dialog(page, 'History of ci-migrations');
  const created = h.getByRole('listitem').filter({ hasText: 'Created' });
  await expect(created).toContainText('Olivia Owner');
  await expect(created).toContainText('127.0.0.1');
  await expect(created).toContainText('HeadlessChrome');
  await page.screenshot({ path: 'test-results/dyn-12-history.png' });
  await page.keyboard.press('Escape');
  await expect(h).toBeHidden();

  // Renew: the available TTL, the bar, a live refusal, then the server's refusal
  // after the lease was renewed elsewhere meanwhile.
  await row.getByRole('button', { name: 'Renew ci-migrations' }).click();
  const r = dialog(page, 'Renew ci-migrations');
  await expect(r).toContainText('Provide a TTL in seconds, and click Renew.');
  await expect(r).toContainText('Available TTL for renewal: 23 h (82800 s)');
  await expect(r.getByText(/^Used .* of the Max TTL of 1 d; .* left before expiry; 23 h more available by renewal\.$/)).toBeVisible();
  await r.getByLabel('TTL (seconds)').fill('90000');
  await expect(r.getByText('That is more than the available TTL of 82800 seconds.')).toBeVisible();
  await page.screenshot({ path: 'test-results/dyn-13-renew.png' });
  await api.call('POST', `/leases/${leaseId}/renew`, { ttl: 82000 });
  await r.getByLabel('TTL (seconds)').fill('5000');
  await r.getByRole('button', { name: 'Renew' }).click();
  await expect(r.getByRole('alert').filter({ hasText: 'The available TTL is 800 seconds; 5000 is more than that.' }))
    .toBeVisible();
  await page.screenshot({ path: 'test-results/dyn-14-renew-refused.png' });
  await r.getByRole('button', { name: 'Cancel' }).click();

  await page.reload();
  await hydrated(page);
  await row.getByRole('button', { name: 'Renew ci-migrations' }).click();
  await expect(r).toContainText('Available TTL for renewal: 13 min 20 s (800 s)');
  await r.getByRole('button', { name: 'Max' }).click();
  await expect(r.getByLabel('TTL (seconds)')).toHaveValue('800');
  await r.getByRole('button', { name: 'Renew' }).click();
  await expect(r).toBeHidden();
  await expect(row.getByRole('timer')).toHaveText(/^23:5\d:\d\d$/);
  await row.getByRole('button', { name: 'Renew ci-migrations' }).click();
  await expect(r).toContainText('This lease cannot be renewed any further');
  await page.screenshot({ path: 'test-results/dyn-15-renew-none-left.png' });
  await page.keyboard.press('Escape');

  await row.getByRole('button', { name: 'History of ci-migrations' }).click();
  await expect(h.getByRole('listitem').filter({ hasText: 'Renewed' })).toHaveCount(2);
  await page.keyboard.press('Escape');

  // Revoke: a confirmation naming the lease, then the row shows revoked.
  await row.getByRole('button', { name: 'Revoke ci-migrations' }).click();
  const v = dialog(page, 'Revoke ci-migrations');
  await expect(v).toContainText(leaseId);
  await expect(v).toContainText('Created');
  await expect(v).toContainText('Expires');
  await page.screenshot({ path: 'test-results/dyn-16-revoke.png' });
  await v.getByRole('button', { name: 'Revoke lease' }).click();
  await expect(v).toBeHidden();
  await expect(row.locator('.badge')).toHaveText('revoked');
  await expect(row.getByRole('button', { name: 'Revoke ci-migrations' })).toHaveCount(0);
  expect(canLogin(issuedUser, issuedPassword)).toBe(false);

  // Past leases are behind the filter.
  await page.getByRole('link', { name: 'All, including past' }).click();
  await expect(page.getByRole('row', { name: 'Lease short-lived' }).locator('.badge')).toHaveText('expired');
  await expect(page.getByRole('row', { name: 'Lease ci-migrations' }).locator('.badge')).toHaveText('revoked');
  await page.getByRole('link', { name: 'Active', exact: true }).click();
  await expect(page.getByText('No active leases.')).toBeVisible();
  await context.close();
});

test('revoke while the provider is unreachable: revoking with the error, then revoked', async ({ browser }) => {
  // A TCP relay in front of the cluster, to cut and restore.
  const sockets = new Set<net.Socket>();
  const relay = () => net.createServer((client) => {
    const upstream = net.connect(PG.port, PG.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  let server = relay();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as net.AddressInfo).port;
  const secret = await createSecretApi('flaky-db', port, { outputs: { username: 'FLAKY_USER', password: 'FLAKY_PASSWORD' } });
  const { credentials } = await api.call('POST', `/dynamic-secrets/${secret.id}/leases`, { name: 'through-relay' }, 201);
  const [user, password] = [credentials.FLAKY_USER, credentials.FLAKY_PASSWORD];
  expect(canLogin(user, password)).toBe(true);

  const { page, context } = await as(browser, owner);
  await open(page, `/apps/${appId}/secrets/${secret.id}`);
  const closed = new Promise<void>((ok) => server.close(() => ok()));
  for (const s of sockets) s.destroy();
  await closed;
  const row = page.getByRole('row', { name: 'Lease through-relay' });
  await row.getByRole('button', { name: 'Revoke through-relay' }).click();
  await dialog(page, 'Revoke through-relay').getByRole('button', { name: 'Revoke lease' }).click();
  await expect(row.locator('.badge')).toHaveText('revoking', { timeout: 30_000 });
  await expect(row).toContainText('Retrying:');
  await page.screenshot({ path: 'test-results/dyn-17-revoking.png' });
  expect(canLogin(user, password)).toBe(true);

  server = relay();
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  await expect(row.locator('.badge')).toHaveText('revoked', { timeout: 45_000 });
  expect(canLogin(user, password)).toBe(false);
  await context.close();
  const done = new Promise<void>((ok) => server.close(() => ok()));
  for (const s of sockets) s.destroy();
  await done;
  await api.call('DELETE', `/dynamic-secrets/${secret.id}`, undefined, 204);
});

test('roles shape the screen, and the server refuses what is not shown', async ({ browser }) => {
  const id = await secretId('orders-db');
  const ownerLease = await api.call('POST', `/dynamic-secrets/${id}/leases`, { name: 'owners-lease' }, 201);

  const v = await as(browser, viewer);
  await open(v.page, appUrl);
  await expect(card(v.page, 'orders-db')).toBeVisible();
  for (const name of ['New Secret', 'Generate orders-db', 'Configure orders-db', 'Delete orders-db']) {
    await expect(v.page.getByRole('button', { name })).toHaveCount(0);
  }
  await open(v.page, `/apps/${appId}/secrets/${id}`);
  const vrow = v.page.getByRole('row', { name: 'Lease owners-lease' });
  await expect(vrow.getByRole('button', { name: 'History of owners-lease' })).toBeVisible();
  await expect(vrow.getByRole('button', { name: /Renew|Revoke/ })).toHaveCount(0);
  await v.page.screenshot({ path: 'test-results/dyn-18-viewer.png', fullPage: true });
  const refused = await v.page.request.post(`/api/v1/dynamic-secrets/${id}/leases`, { data: { name: 'sneaky' } });
  expect(refused.status()).toBe(403);
  await v.context.close();

  const d = await as(browser, dev);
  await open(d.page, appUrl);
  await expect(d.page.getByRole('button', { name: 'Generate orders-db' })).toBeVisible();
  for (const name of ['New Secret', 'Configure orders-db', 'Delete orders-db']) {
    await expect(d.page.getByRole('button', { name })).toHaveCount(0);
  }
  await d.page.getByRole('button', { name: 'Generate orders-db' }).click();
  const g = dialog(d.page, 'Generate orders-db');
  await g.getByLabel('Lease name').fill('devs-lease');
  await g.getByRole('button', { name: 'Generate' }).click();
  await expect(g).toContainText('The values will not be displayed again.');
  await g.getByRole('button', { name: 'Done' }).click();
  await hydrated(d.page);
  await d.page.getByRole('link', { name: 'Leases of orders-db' }).click();
  await hydrated(d.page);
  const mine = d.page.getByRole('row', { name: 'Lease devs-lease' });
  await expect(mine).toContainText('Dana Developer');
  await expect(mine.getByRole('button', { name: 'Renew devs-lease' })).toBeVisible();
  await expect(mine.getByRole('button', { name: 'Revoke devs-lease' })).toBeVisible();
  const theirs = d.page.getByRole('row', { name: 'Lease owners-lease' });
  await expect(theirs.getByRole('button', { name: 'History of owners-lease' })).toBeVisible();
  await expect(theirs.getByRole('button', { name: /Renew|Revoke/ })).toHaveCount(0);
  await d.page.screenshot({ path: 'test-results/dyn-19-developer.png', fullPage: true });
  const other = await d.page.request.post(`/api/v1/leases/${ownerLease.lease.id}/revoke`);
  expect(other.status()).toBe(403);
  await d.context.close();
});

test('dialogs keep focus inside and close on Escape', async ({ browser }) => {
  const { page, context } = await as(browser, owner);
  await open(page, appUrl);
  const button = page.getByRole('button', { name: 'Generate orders-db' });
  await button.focus();
  await page.keyboard.press('Enter');
  const d = dialog(page, 'Generate orders-db');
  await expect(d).toBeVisible();
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => !!document.activeElement?.closest('dialog[open]'))).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(d).toBeHidden();
  await context.close();
});

test('delete: naming the keys, and only with "Revoke all active leases" switched on', async ({ browser }) => {
  const id = await secretId('orders-db');
  const { credentials } = await api.call('POST', `/dynamic-secrets/${id}/leases`, { name: 'left-behind' }, 201);
  const { page, context } = await as(browser, owner);
  await open(page, appUrl);
  await page.getByRole('button', { name: 'Delete orders-db' }).click();
  const d = dialog(page, 'Delete orders-db');
  await expect(d).toContainText('ORDERS_DB_USER');
  await expect(d).toContainText('DB_PASSWORD');
  await expect(d).toContainText('active lease(s)');
  const confirm = d.getByRole('button', { name: 'Delete Dynamic Secret' });
  await expect(confirm).toBeDisabled();
  await d.getByRole('switch', { name: 'Revoke all active leases' }).click();
  await expect(confirm).toBeEnabled();
  await page.screenshot({ path: 'test-results/dyn-20-delete.png' });
  // Cancelled and reopened, the dialog starts over: the switch is off again.
  await d.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Delete orders-db' }).click();
  await expect(d.getByRole('switch', { name: 'Revoke all active leases' })).toHaveAttribute('aria-checked', 'false');
  await expect(confirm).toBeDisabled();
  await d.getByRole('switch', { name: 'Revoke all active leases' }).click();
  await confirm.click();
  await expect(card(page, 'orders-db')).toHaveCount(0);
  await expect(page.getByText('No secrets in Development yet.')).toBeVisible();
  await expect.poll(() => canLogin(credentials.ORDERS_DB_USER, credentials.DB_PASSWORD), { timeout: 15_000 }).toBe(false);
  await context.close();
});
