import uPlot from 'uplot';
import type { ThroughputPoint } from '../server/schemas.js';

/** Rows in and out per second over the last minutes (the job's throughput history), drawn with uPlot. */
export class ThroughputChart {
  private readonly plot: uPlot;

  constructor(container: HTMLElement) {
    this.plot = new uPlot(
      {
        width: Math.max(container.clientWidth, 480),
        height: 180,
        series: [{}, { label: 'rows in/s', stroke: '#2b6cb0', width: 2 }, { label: 'rows out/s', stroke: '#2f855a', width: 2 }],
        axes: [{}, { size: 60 }],
        scales: { x: { time: true } },
      },
      [[], [], []],
      container,
    );
  }

  update(points: readonly ThroughputPoint[]): void {
    this.plot.setData([points.map((p) => p.time / 1000), points.map((p) => p.rowsInPerSecond), points.map((p) => p.rowsOutPerSecond)]);
  }
}
