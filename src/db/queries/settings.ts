import { eq } from 'drizzle-orm';
import type { Db } from '../types';
import { settings } from '../schema';

/**
 * Returns the setting, creating it with `make()` if absent. Insert-or-ignore then read back,
 * so two processes (or isolates) starting at once agree on one value.
 */
export async function getOrCreateSetting(db: Db, key: string, make: () => string): Promise<{ value: string; created: boolean }> {
  const candidate = make();
  await db.insert(settings).values({ key, value: candidate }).onConflictDoNothing();
  const value = await getSetting(db, key);
  if (value === undefined) throw new Error(`setting ${key} could not be stored`);
  return { value, created: value === candidate };
}

export async function getSetting(db: Db, key: string): Promise<string | undefined> {
  return (await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get())?.value;
}

export async function putSetting(db: Db, key: string, value: string): Promise<void> {
  await db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } });
}
