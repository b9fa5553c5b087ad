// Prints one plain closing line that any CI can read: "tests: N passed, N failed, N skipped".
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`);
    if (results.numRuntimeErrorTestSuites > 0) process.stdout.write(`suites that failed to run: ${results.numRuntimeErrorTestSuites}\n`);
  }
}
module.exports = SummaryReporter;
