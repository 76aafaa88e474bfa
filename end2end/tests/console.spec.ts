import { test, expect, type Browser } from '@playwright/test';
import { ADMIN, PASSWORD, adminToken, email, hydrated, login, signupApi, tokenFor } from './helpers';

// One server, one database: the very first account is the instance admin.
test.describe.configure({ mode: 'serial' });

const admin = ADMIN;
const owner = email('owner');
let orgUrl = '';
let appUrl = '';

async function as(browser: Browser, address: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, address);
  return { context, page };
}

test('the first account becomes instance admin', async ({ request }) => {
  const token = await adminToken(request);
  const me = await (await request.get('/api/v1/me', { headers: { authorization: `Bearer ${token}` } })).json();
  expect(me.user.instance_admin).toBe(true);
});

test('sign up, create org, get Enterprise, create app, enable SSE, see it audited', async ({ page, browser }) => {
  // Sign up in the browser.
  await page.goto('/signup');
  await hydrated(page);
  await page.getByLabel('Name').fill('Olivia <Owner>');
  await page.getByLabel('E-mail').fill(owner);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('heading', { name: 'Organisations' })).toBeVisible();
  await expect(page.getByText('Olivia <Owner>')).toBeVisible();

  // Create an organisation: it starts on the free plan, with the upgrade notice.
  await page.getByLabel('Organisation name').fill('Acme Payments');
  await page.getByRole('button', { name: 'Create organisation' }).click();
  await expect(page.getByRole('heading', { name: 'Acme Payments' })).toBeVisible();
  await expect(page.getByText('Dynamic secrets require the Enterprise plan.')).toBeVisible();
  orgUrl = new URL(page.url()).pathname;

  // The instance admin sets the Enterprise plan on the admin page.
  const root = await as(browser, admin);
  await root.page.getByRole('link', { name: 'Instance admin' }).click();
  await hydrated(root.page);
  await root.page.getByLabel('Plan of Acme Payments').selectOption('enterprise');
  await root.page.getByRole('button', { name: 'Set plan' }).click();
  await expect(root.page.getByRole('row', { name: /Acme Payments/ }).locator('.badge')).toHaveText('enterprise');
  await root.context.close();

  // The owner sees the new plan and creates an app.
  await page.goto(orgUrl);
  await hydrated(page);
  await expect(page.getByText('Dynamic secrets require the Enterprise plan.')).toHaveCount(0);
  await page.getByLabel('App name').fill('billing-api');
  await page.getByRole('button', { name: 'Create app' }).click();
  await page.getByRole('link', { name: 'billing-api' }).click();
  await expect(page.getByRole('heading', { name: 'billing-api' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Production' })).toBeVisible();
  await expect(page.getByText('Dynamic secrets need server-side encryption.')).toBeVisible();
  appUrl = new URL(page.url()).pathname;

  // Enable SSE in Settings.
  await page.getByRole('navigation', { name: 'App sections' }).getByRole('link', { name: 'Settings' }).click();
  await hydrated(page);
  const sse = page.getByRole('switch', { name: 'Server-side encryption' });
  await expect(sse).toHaveAttribute('aria-checked', 'false');
  await sse.click();
  await expect(sse).toHaveAttribute('aria-checked', 'true');
  await page.screenshot({ path: 'test-results/settings.png', fullPage: true });

  // The audit log shows what happened, with the actor.
  await page.goto(`${orgUrl}/audit`);
  const log = page.getByRole('table', { name: 'Audit log' });
  await expect(log.getByRole('row').nth(1)).toContainText('app.sse_enabled');
  await expect(log).toContainText('app.created');
  await expect(log).toContainText('org.plan_changed');
  await expect(log).toContainText('free → enterprise');
  await expect(log.getByRole('row').nth(1)).toContainText(owner);
  await page.screenshot({ path: 'test-results/audit.png', fullPage: true });
});

test('a non-member gets not found for another tenant\'s org and app', async ({ browser, request }) => {
  const stranger = email('stranger');
  await signupApi(request, stranger, 'Stranger');
  const { page, context } = await as(browser, stranger);
  const org = await page.goto(orgUrl);
  expect(org?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await expect(page.getByText('Acme Payments')).toHaveCount(0);
  await page.goto(appUrl);
  await expect(page.getByText('No such app.')).toBeVisible();
  await expect(page.getByText('billing-api')).toHaveCount(0);
  await context.close();
});

test('a developer sees SSE but cannot toggle it, and the server refuses too', async ({ browser, request }) => {
  const dev = email('dev');
  await signupApi(request, dev, 'Dev');
  const ownerToken = await tokenFor(request, owner);
  const orgId = orgUrl.split('/').pop();
  const add = await request.post(`/api/v1/orgs/${orgId}/members`, {
    headers: { authorization: `Bearer ${ownerToken}` },
    data: { email: dev, role: 'developer' },
  });
  expect(add.status()).toBe(201);

  const { page, context } = await as(browser, dev);
  await page.goto(`${appUrl}/settings`);
  await hydrated(page);
  const sse = page.getByRole('switch', { name: 'Server-side encryption' });
  await expect(sse).toBeDisabled();
  await expect(page.getByText('Only owners and admins can change this.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Delete app' })).toHaveCount(0);

  // The browser's own session cookie, straight to the API: still refused.
  const appId = appUrl.split('/').pop();
  const r = await page.request.put(`/api/v1/apps/${appId}/sse`, { data: { enabled: false } });
  expect(r.status()).toBe(403);
  expect((await r.json()).error.code).toBe('forbidden');
  await context.close();
});

test('bad input is explained in the form', async ({ page }) => {
  await page.goto('/signup');
  await hydrated(page);
  await page.getByLabel('Name').fill('Someone');
  await page.getByLabel('E-mail').fill(owner);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('alert')).toHaveText('An account with this e-mail already exists.');

  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(owner);
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The e-mail or password is not correct.');
});

test('owners manage members in the browser, and the last owner is kept', async ({ browser, request }) => {
  const newcomer = email('newcomer');
  await signupApi(request, newcomer, 'Newcomer');
  const { page, context } = await as(browser, owner);
  await page.goto(`${orgUrl}/members`);
  await hydrated(page);
  const add = page.getByRole('form', { name: 'Add member' });
  await add.getByLabel('E-mail').fill(newcomer);
  await add.getByLabel('Role').selectOption('viewer');
  await add.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByRole('row', { name: new RegExp(newcomer) })).toBeVisible();
  await hydrated(page);
  await expect(page.getByLabel(`Role of ${newcomer}`)).toHaveValue('viewer');

  await page.getByLabel(`Role of ${newcomer}`).selectOption('admin');
  await page.getByRole('row', { name: new RegExp(newcomer) }).getByRole('button', { name: 'Change role' }).click();
  await hydrated(page);
  await expect(page.getByLabel(`Role of ${newcomer}`)).toHaveValue('admin');

  // The only owner cannot demote themselves: the refusal is shown in their row.
  const mine = page.getByRole('row', { name: new RegExp(owner) });
  await page.getByLabel(`Role of ${owner}`).selectOption('developer');
  await mine.getByRole('button', { name: 'Change role' }).click();
  await expect(mine.getByRole('alert')).toHaveText('An organisation must keep at least one owner.');

  await page.getByRole('button', { name: `Remove ${newcomer}` }).click();
  await expect(page.getByRole('row', { name: new RegExp(newcomer) })).toHaveCount(0);
  await context.close();
});
