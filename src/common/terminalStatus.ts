/**
 * One status line (a progress line) at the bottom of a terminal, with other lines printed above it:
 * printing clears the status line, writes the line and draws the status again, so log lines never
 * break into a progress line. Off a terminal the status is written as it comes and a printed line
 * starts on a line of its own.
 */
type Out = Pick<NodeJS.WriteStream, 'write' | 'isTTY'>;

const CLEAR = '\r\x1b[2K';

export class TerminalStatus {
  private text: string | null = null;
  private stream: Out = process.stdout;
  /** Off a terminal: the last status has no newline after it yet. */
  private open = false;

  /** Draws `text` as the status line on `stream` (replacing the one shown). */
  show(text: string, stream: Out = process.stdout): void {
    if (this.text !== null && this.stream !== stream) this.done();
    this.text = text;
    this.stream = stream;
    stream.write(stream.isTTY ? `${CLEAR}${text}` : `\r${text}`);
    this.open = !stream.isTTY;
  }

  /** Leaves the status line as it is and moves below it. */
  done(): void {
    if (this.text === null) return;
    this.stream.write('\n');
    this.text = null;
    this.open = false;
  }

  /** Writes `line` (without its newline) on `stream`, above the status line. */
  print(line: string, stream: Out = process.stdout): void {
    if (this.text !== null && this.stream.isTTY) {
      this.stream.write(CLEAR);
      stream.write(`${line}\n`);
      this.stream.write(this.text);
      return;
    }
    if (this.open) {
      this.stream.write('\n');
      this.open = false;
    }
    stream.write(`${line}\n`);
  }
}

/** The process's terminal: the demo's and the commands' progress lines, and pretty log lines. */
export const terminalStatus = new TerminalStatus();
