/** The broker is left running on purpose: a developer's next run reuses it; .ci/run stops it. */
export default async function globalTeardown(): Promise<void> {}
