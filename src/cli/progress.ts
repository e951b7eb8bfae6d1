// A one-line progress bar for long operator commands, redrawn in place on stderr at most ~10×/s.

export interface ProgressBar {
  update: (done: number, total: number) => void;
  done: () => void;
}

export function progressBar(write: (text: string) => void, label: string, width = 30): ProgressBar {
  let last = 0;
  let drawn = false;
  const started = Date.now();
  const draw = (done: number, total: number) => {
    const ratio = total === 0 ? 1 : done / total;
    const filled = Math.round(ratio * width);
    const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
    write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${done}/${total} (${Math.round(rate)}/s)`);
    drawn = true;
  };
  let latest: [number, number] = [0, 0];
  return {
    update(done, total) {
      latest = [done, total];
      const now = Date.now();
      if (now - last >= 100 || done === total) {
        last = now;
        draw(done, total);
      }
    },
    done() {
      if (drawn) {
        draw(...latest);
        write('\n');
      }
    },
  };
}
