// Prints one plain closing line that any CI can read: "tests: N passed, N failed, N skipped".
// A suite that could not run (a syntax or import error) counts as one failure, so the line never
// says "0 failed" while jest exits non-zero.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const brokenSuites = results.testResults.filter((r) => r.testExecError).length;
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + brokenSuites;
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
