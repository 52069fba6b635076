// Process functions for examples/process-alerts.pipe, which registers spending_spree with
//   CREATE FUNCTION spending_spree AS 'functions/alerts.js';
// (`sluice run … --functions examples/functions/alerts.js` loads every entry instead.)
// Each export entry is one definition: its signature (name, args, output, state) is what the compiler checks the
// PROCESS step against, and its methods are what the runtime calls (see runtime/operators/process/process-function.ts).

const SPREE_MS = 10 * 60 * 1000;

/** Ends the open spree of the current account: an alert when its payments reached the threshold. */
function closeSpree(spree, ctx) {
  ctx.state.value('spree').clear();
  if (spree.total >= spree.threshold) {
    ctx.emit({ account: ctx.currentKey[0], spree_start: spree.start, total: Math.round(spree.total * 100) / 100, payments: spree.payments });
  }
}

export const processes = [
  {
    name: 'spending_spree',
    // amount, threshold
    args: ['DOUBLE', 'DOUBLE'],
    output: [
      { name: 'account', type: 'STRING', nullable: false },
      { name: 'spree_start', type: 'TIMESTAMP(3)', nullable: false },
      { name: 'total', type: 'DOUBLE', nullable: false },
      { name: 'payments', type: 'BIGINT', nullable: false },
    ],
    // The open spree of the account (PARTITION BY account): checkpoints and savepoints keep it, timers included.
    state: [
      {
        name: 'spree',
        kind: 'value',
        valueType: [
          { name: 'start', type: 'TIMESTAMP(3)', nullable: false },
          { name: 'total', type: 'DOUBLE', nullable: false },
          { name: 'payments', type: 'BIGINT', nullable: false },
          { name: 'threshold', type: 'DOUBLE', nullable: false },
        ],
      },
    ],

    // A spree opens with an account's payment and lasts ten minutes of event time.
    processElement(_row, ctx) {
      const [amount, threshold] = ctx.args;
      if (ctx.timestamp === null || amount === null || threshold === null) return;
      const state = ctx.state.value('spree');
      let spree = state.value();
      // A payment past the open spree's end that arrived before the watermark closed it: close it here.
      if (spree !== undefined && ctx.timestamp >= spree.start + SPREE_MS) {
        ctx.timers.deleteEventTime(spree.start + SPREE_MS);
        closeSpree(spree, ctx);
        spree = undefined;
      }
      if (spree === undefined) {
        spree = { start: ctx.timestamp, total: 0, payments: 0, threshold };
        ctx.timers.registerEventTime(spree.start + SPREE_MS);
      }
      // State values are replaced, never modified in place.
      state.update({ ...spree, total: spree.total + amount, payments: spree.payments + 1 });
    },

    // The watermark passed the spree's end: no payment of it can still arrive.
    onTimer(_timestamp, ctx) {
      const spree = ctx.state.value('spree').value();
      if (spree !== undefined) closeSpree(spree, ctx);
    },
  },
];
