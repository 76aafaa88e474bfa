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
