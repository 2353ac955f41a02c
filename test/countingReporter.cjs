// Mocha's spec reporter plus one closing line "[suite] N passed, N failed" that the test
// aggregator (scripts/run-tests.mjs) reads. The suite name comes from LOOPSCOPE_SUITE.
const Mocha = require('mocha');

class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const suite = process.env.LOOPSCOPE_SUITE || 'mocha';
      Mocha.reporters.Base.consoleLog(`[${suite}] ${this.stats.passes} passed, ${this.stats.failures} failed`);
    });
  }
}

module.exports = CountingReporter;
