/**
 * Combines the watermarks of several inputs (a task's input channels, a source subtask's splits) into one, as
 * Flink's StatusWatermarkValve does: the combined watermark is the minimum over inputs that are neither idle nor
 * ended, and it never goes back. Ended inputs count as +Infinity; when every remaining input is idle the
 * combined watermark advances to the highest of theirs (nothing active can hold it back any more) and the whole
 * is idle. Pure bookkeeping: callers compare `current`/`idle` with what they last emitted.
 */
export class WatermarkTracker {
  private readonly watermarks: number[];
  private readonly idleInputs: boolean[];
  private readonly endedInputs: boolean[];
  private combined = -Infinity;
  private allIdle = false;

  constructor(inputs: number) {
    this.watermarks = new Array<number>(inputs).fill(-Infinity);
    this.idleInputs = new Array<boolean>(inputs).fill(false);
    this.endedInputs = new Array<boolean>(inputs).fill(false);
  }

  get inputs(): number {
    return this.watermarks.length;
  }

  /** The combined watermark (monotonic). */
  get current(): number {
    return this.combined;
  }

  /** Whether every input that has not ended is idle (and at least one has not ended). */
  get idle(): boolean {
    return this.allIdle;
  }

  watermarkOf(input: number): number {
    return this.watermarks[input]!;
  }

  isIdle(input: number): boolean {
    return this.idleInputs[input]!;
  }

  /** Adds an input (a newly discovered split); it starts at -Infinity, active. */
  addInput(): number {
    this.watermarks.push(-Infinity);
    this.idleInputs.push(false);
    this.endedInputs.push(false);
    this.recompute();
    return this.watermarks.length - 1;
  }

  onWatermark(input: number, timestamp: number): void {
    if (timestamp <= this.watermarks[input]!) return;
    this.watermarks[input] = timestamp;
    // A watermark means the input is active again, as in Flink.
    this.idleInputs[input] = false;
    this.recompute();
  }

  onStatus(input: number, idle: boolean): void {
    if (this.idleInputs[input] === idle) return;
    this.idleInputs[input] = idle;
    this.recompute();
  }

  onEnd(input: number): void {
    if (this.endedInputs[input]) return;
    this.endedInputs[input] = true;
    this.watermarks[input] = Infinity;
    this.recompute();
  }

  private recompute(): void {
    let minActive = Infinity;
    let maxIdle = -Infinity;
    let active = 0;
    let open = 0;
    for (let i = 0; i < this.watermarks.length; i++) {
      if (this.endedInputs[i]) continue;
      open++;
      const wm = this.watermarks[i]!;
      if (this.idleInputs[i]) {
        if (wm > maxIdle) maxIdle = wm;
      } else {
        active++;
        if (wm < minActive) minActive = wm;
      }
    }
    this.allIdle = open > 0 && active === 0;
    const candidate = open === 0 ? Infinity : active > 0 ? minActive : maxIdle;
    if (candidate > this.combined) this.combined = candidate;
  }
}
