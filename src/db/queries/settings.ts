import { eq } from 'drizzle-orm';
import type { Db } from '../../deps';
import { settings } from '../schema';

/**
 * Returns the setting, creating it with `make()` if absent. Insert-or-ignore then read back,
 * so two processes (or isolates) starting at once agree on one value.
 */
export async function getOrCreateSetting(db: Db, key: string, make: () => string): Promise<{ value: string; created: boolean }> {
  const candidate = make();
  await db.insert(settings).values({ key, value: candidate }).onConflictDoNothing();
  const row = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get();
  if (!row) throw new Error(`setting ${key} could not be stored`);
  return { value: row.value, created: row.value === candidate };
}
