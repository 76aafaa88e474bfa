import { expect, type Page, type APIRequestContext } from '@playwright/test';

export const PASSWORD = 'correct horse battery staple';

/** A unique address per run, so reruns against one server never collide. */
export const email = (who: string) => `${who}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;

/** SSR buttons are inert until the wasm has hydrated the page. */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
}

export async function signupApi(request: APIRequestContext, address: string, name: string) {
  const r = await request.post('/api/v1/auth/signup', { data: { email: address, password: PASSWORD, name } });
  expect(r.status()).toBe(201);
}

export async function tokenFor(request: APIRequestContext, address: string): Promise<string> {
  const r = await request.post('/api/v1/auth/login', { data: { email: address, password: PASSWORD } });
  expect(r.status()).toBe(200);
  return (await r.json()).token;
}

export async function login(page: Page, address: string) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(address);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Organisations' })).toBeVisible();
}

/** The instance admin: the first account of the (fresh) test instance, whichever spec runs first. */
export const ADMIN = 'instance-admin@e2e.test';

export async function adminToken(request: APIRequestContext): Promise<string> {
  const r = await request.post('/api/v1/auth/signup', { data: { email: ADMIN, password: PASSWORD, name: 'Root' } });
  expect([201, 409]).toContain(r.status());
  return tokenFor(request, ADMIN);
}

/** JSON calls to the REST API as one account. */
export class Api {
  constructor(private request: APIRequestContext, private token: string) {}

  static async as(request: APIRequestContext, address: string) {
    return new Api(request, await tokenFor(request, address));
  }

  async call(method: string, path: string, data?: unknown, expected = 200) {
    const r = await this.request.fetch(`/api/v1${path}`, {
      method,
      data,
      headers: { authorization: `Bearer ${this.token}` },
    });
    expect(r.status(), `${method} ${path}: ${await r.text()}`).toBe(expected);
    return r.status() === 204 ? null : r.json();
  }
}
