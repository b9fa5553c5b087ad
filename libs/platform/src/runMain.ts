/** The `if main` block of every deployable: start, or log why not (no stack, no case data) and exit 1. */
export function runMain(name: string, start: () => Promise<unknown>): void {
  start().catch((err) => {
    process.stderr.write(
      JSON.stringify({
        t: new Date().toISOString(),
        level: 'error',
        service: name,
        msg: 'failed to start',
        error: String(err?.message ?? err),
      }) + '\n',
    );
    process.exit(1);
  });
}
