// Prints one plain closing line that any CI can read: "tests: N passed, N failed, N skipped".
// A suite that could not run (a syntax or import error) counts as one failure, so the line never
// says "0 failed" while jest exits non-zero.
// CI keeps only the tail of its log, so each failure is also named there: the file, the test and
// the first lines of its message, passed to .ci/run's closing summary through MASH_TEST_TOTALS.
const { relative } = require('node:path');

const FIRST_LINES = 24;

function failuresOf(results) {
  const failures = [];
  for (const file of results.testResults) {
    const where = relative(process.cwd(), file.testFilePath);
    if (file.testExecError) failures.push({ where, test: '(suite did not run)', message: firstLines(file.testExecError.message) });
    for (const t of file.testResults) {
      if (t.status === 'failed') failures.push({ where, test: t.fullName, message: firstLines(t.failureMessages.join('\n')) });
    }
  }
  return failures;
}

// eslint-disable-next-line no-control-regex
const ANSI_COLOURS = /\u001b\[[0-9;]*m/g;

function firstLines(text) {
  return String(text ?? '')
    .replace(ANSI_COLOURS, '')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(0, FIRST_LINES)
    .join('\n');
}

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const brokenSuites = results.testResults.filter((r) => r.testExecError).length;
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + brokenSuites;
    const failures = failuresOf(results);
    for (const f of failures) process.stdout.write(`\nFAILED ${f.where} › ${f.test}\n${f.message}\n`);
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
    // .ci/run runs jest several times and closes with one line for all runs, and the failures.
    if (process.env.MASH_TEST_TOTALS) {
      require('node:fs').appendFileSync(
        process.env.MASH_TEST_TOTALS,
        `${JSON.stringify({ node: process.version, passed: results.numPassedTests, failed, skipped, failures })}\n`,
      );
    }
  }
}
module.exports = SummaryReporter;
