import { describe, expect, it } from 'vitest';
import { AUCTION, BID, compileGraph, fieldNames, kinds, operatorOf, reported, sink } from './planning.js';

const TUMBLE = "WINDOW TUMBLE(date_time, INTERVAL '10' SECOND)";
const program = (rightWindow: string, on: string): string => `${BID} ${AUCTION} ${sink()}
  CREATE VIEW auctions AS FROM auction |> ${rightWindow};
  INSERT INTO out FROM bid AS b |> ${TUMBLE} |> JOIN auctions AS a ON ${on} UID 'wj';`;
const ON_WINDOW = 'b.auction = a.id AND b.window_start = a.window_start AND b.window_end = a.window_end';

describe('window JOIN', () => {
  it('joins two streams windowed alike on their window bounds; each WINDOW becomes a window_assign feeding it', () => {
    const graph = compileGraph(program(TUMBLE, ON_WINDOW));
    expect(kinds(graph)).toEqual(['source', 'source', 'window_assign', 'window_assign', 'window_join', 'sink']);
    const op = operatorOf(graph, 'window_join');
    expect(op.spec).toMatchObject({
      joinType: 'inner',
      window: { type: 'tumble', sizeMs: 10_000 },
      leftKeys: [{ index: 0 }, { index: 7 }, { index: 8 }],
      rightKeys: [{ index: 0 }, { index: 10 }, { index: 11 }],
    });
    expect(op.inputs.map((i) => i.window?.start)).toEqual([7, 10]);
    expect(op.output).toMatchObject({ changelog: 'append', rowtime: 8, window: { start: 7, end: 8 } });
    expect(fieldNames(op).slice(7, 9)).toEqual(['window_start', 'window_end']);
    expect(op.state.map((s) => [s.name, s.kind, s.mapKeyType?.map((f) => f.name)])).toEqual([
      ['left-rows', 'map', ['window_start', 'window_end']],
      ['right-rows', 'map', ['window_start', 'window_end']],
    ]);
  });

  it('keys a join of window aggregate outputs by the window bounds, so windows spread over subtasks', () => {
    const text = `${BID} ${sink()}
      CREATE VIEW counts AS FROM bid |> ${TUMBLE} |> AGGREGATE COUNT(*) AS n GROUP BY auction, window_start, window_end UID 'c';
      CREATE VIEW tops AS FROM counts |> AGGREGATE MAX(n) AS top GROUP BY window_start, window_end UID 't';
      INSERT INTO out FROM counts AS c |> JOIN tops AS t ON c.window_start = t.window_start AND c.window_end = t.window_end AND c.n >= t.top UID 'wj';`;
    const op = operatorOf(compileGraph(text), 'window_join');
    expect(op.spec).toMatchObject({
      leftKeys: [{ name: 'window_start' }, { name: 'window_end' }],
      rightKeys: [{ name: 'window_start' }, { name: 'window_end' }],
      residual: { type: { name: 'BOOLEAN' } },
    });
  });

  it('reports sides windowed differently', () => {
    const text = program("WINDOW TUMBLE(date_time, INTERVAL '5' SECOND)", ON_WINDOW);
    expect(reported(text)).toEqual([`WindowJoinMismatch @ '${ON_WINDOW}'`]);
  });

  it('without both window bounds equated, is a regular join of the assigned windows', () => {
    const graph = compileGraph(program(TUMBLE, 'b.auction = a.id AND b.window_start = a.window_start'));
    expect(kinds(graph)).toContain('join');
  });
});
