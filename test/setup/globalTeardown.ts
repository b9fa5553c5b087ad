/**
 * Containers started for this run are stopped. The local broker is left running on purpose: a
 * developer's next run reuses it, and .ci/run stops it.
 */
export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __mashContainers?: { stop: () => Promise<void> } }).__mashContainers?.stop();
}
