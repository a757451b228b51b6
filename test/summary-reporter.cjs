/**
 * Ends every jest run with one plain line CI can read: "N passed, N failed[, N skipped]".
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failedSuites = results.numRuntimeErrorTestSuites;
    let line = `${results.numPassedTests} passed, ${results.numFailedTests + failedSuites} failed`;
    if (skipped) line += `, ${skipped} skipped`;
    process.stdout.write(`\n${line}\n`);
  }
}
module.exports = SummaryReporter;
