import { describe, expect, it } from 'vitest';
import { BID, compileGraph, fieldNames, kinds, operatorOf, reported, sink } from './planning.js';

const windowed = (window: string, rest = ''): string => `${BID} ${sink()} INSERT INTO out FROM bid |> WINDOW ${window}${rest};`;

describe('WINDOW', () => {
  it('without an aggregate after it, TUMBLE becomes a window_assign appending window_start and window_end', () => {
    const graph = compileGraph(windowed("TUMBLE(date_time, INTERVAL '10' SECOND)", ' |> WHERE price > 1'));
    expect(kinds(graph)).toEqual(['source', 'window_assign', 'filter', 'sink']);
    const assign = operatorOf(graph, 'window_assign');
    expect(assign.spec).toEqual({ kind: 'window_assign', window: { type: 'tumble', timeIndex: 5, sizeMs: 10_000 } });
    expect(fieldNames(assign).slice(-2)).toEqual(['window_start', 'window_end']);
    expect(assign.output.fields.slice(-2).map((f) => f.nullable)).toEqual([false, false]);
    expect(assign.output).toMatchObject({ rowtime: 5, window: { start: 7, end: 8 } });
    expect(operatorOf(graph, 'filter').output.window).toEqual(assign.output.window);
  });

  it('HOP takes the slide, then the size', () => {
    const graph = compileGraph(windowed("HOP(date_time, INTERVAL '2' SECOND, INTERVAL '1' MINUTE)"));
    expect(operatorOf(graph, 'window_assign').spec).toMatchObject({ window: { type: 'hop', slideMs: 2_000, sizeMs: 60_000 } });
  });

  it('a view ending in WINDOW gets one window_assign shared by all its readers', () => {
    const text = `${BID} ${sink('a')} ${sink('b')}
      CREATE VIEW w AS FROM bid |> WINDOW TUMBLE(date_time, INTERVAL '1' SECOND);
      INSERT INTO a FROM w; INSERT INTO b FROM w |> WHERE price > 0;`;
    expect(kinds(compileGraph(text))).toEqual(['source', 'window_assign', 'filter', 'sink', 'sink']);
  });

  it.each([
    ['a column that is not the time attribute', "TUMBLE(price, INTERVAL '1' SECOND)", "WindowOnNonTimeAttribute @ 'price'"],
    ['a duration that is not constant', 'TUMBLE(date_time, date_time - date_time)', "DurationNotConstant @ 'date_time - date_time'"],
    ['a duration that is not positive', "TUMBLE(date_time, INTERVAL '0' SECOND)", "DurationNotPositive @ 'INTERVAL '0' SECOND'"],
    ['a HOP size that is not a multiple of the slide', "HOP(date_time, INTERVAL '3' SECOND, INTERVAL '10' SECOND)", "HopSizeNotMultipleOfSlide @ 'INTERVAL '10' SECOND'"],
    ['a SESSION not followed by an aggregate', "SESSION(date_time, INTERVAL '1' MINUTE)", "SessionWithoutAggregate @ 'SESSION'"],
  ])('reports %s', (_, window, expected) => {
    expect(reported(windowed(window))).toEqual([expected]);
  });

  it('reports a stream without time attribute, saying where it comes from', () => {
    const text = `${BID} ${sink()} INSERT INTO out FROM bid |> SELECT price, date_time + INTERVAL '1' SECOND AS t
      |> WINDOW TUMBLE(t, INTERVAL '1' SECOND);`;
    expect(reported(text)).toEqual(["NoTimeAttribute @ 't'"]);
  });

  it('reports window columns the stream already has', () => {
    const text = `${BID} ${sink()} INSERT INTO out FROM bid |> EXTEND date_time AS window_end
      |> WINDOW TUMBLE(date_time, INTERVAL '1' SECOND);`;
    expect(reported(text)).toEqual(["WindowColumnsExist @ 'TUMBLE'"]);
  });
});
