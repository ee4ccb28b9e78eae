import { SECTION_START } from "./script.js";

/** One section of the probe's output. */
export interface Section {
  body: string;
  /** The command's exit code; undefined when the section never ended (output cut short). */
  exitCode: number | undefined;
}

const START = new RegExp(`^${escapeRegExp(SECTION_START)}([^@\\s]+)@@$`);
const END = new RegExp(`^${escapeRegExp(SECTION_START)}end (\\S+) rc=(\\d+)@@$`);

/** Splits the probe's output into its sections, by name. */
export function splitSections(output: string): Map<string, Section> {
  const sections = new Map<string, Section>();
  let current: { name: string; lines: string[] } | undefined;
  const close = (exitCode: number | undefined) => {
    if (current === undefined) return;
    // The script prints a newline before each marker: drop that one empty line.
    const lines = current.lines.at(-1) === "" ? current.lines.slice(0, -1) : current.lines;
    sections.set(current.name, { body: lines.join("\n"), exitCode });
    current = undefined;
  };
  for (const line of output.split("\n")) {
    const end = END.exec(line);
    if (end && current && end[1] === current.name) {
      close(Number(end[2]));
      continue;
    }
    const start = START.exec(line);
    if (start) {
      close(undefined);
      current = { name: start[1] as string, lines: [] };
      continue;
    }
    current?.lines.push(line);
  }
  close(undefined);
  return sections;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
