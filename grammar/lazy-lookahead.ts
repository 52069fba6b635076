import { LLkLookaheadStrategy, type ILookaheadStrategy } from 'chevrotain';

type AlternationOptions = Parameters<ILookaheadStrategy['buildLookaheadForAlternation']>[0];
type OptionalOptions = Parameters<ILookaheadStrategy['buildLookaheadForOptional']>[0];

/**
 * Chevrotain's LL(k) lookahead, each decision's function built when the parser first reaches that decision rather
 * than for the whole grammar in `performSelfAnalysis` (about half of the parser's construction, paid by every
 * `sluice compile`; a file uses a fraction of the grammar). The functions are the same as LL(k)'s, so parses are
 * too; chevrotain calls them with the parser as `this`, which the wrapper passes on.
 */
export class LazyLLkLookaheadStrategy extends LLkLookaheadStrategy {
  override buildLookaheadForAlternation(options: AlternationOptions): ReturnType<ILookaheadStrategy['buildLookaheadForAlternation']> {
    const build = () => super.buildLookaheadForAlternation(options);
    let built: ReturnType<typeof build> | undefined;
    return function (this: unknown, alternatives) {
      built ??= build();
      return built.call(this, alternatives);
    };
  }

  override buildLookaheadForOptional(options: OptionalOptions): () => boolean {
    const build = () => super.buildLookaheadForOptional(options);
    let built: (() => boolean) | undefined;
    return function (this: unknown) {
      built ??= build();
      return built.call(this);
    };
  }
}
