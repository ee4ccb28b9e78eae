// A strict parser of the Prometheus text exposition format (version 0.0.4), for the tests: it
// throws on any line the format does not allow, so /metrics is checked as Prometheus would read
// it, not by matching strings. (The npm parsers tried lose the labels of labelled histograms.)
// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format

/** One sample: the series name (`x_bucket`, `x_sum`, …), its labels and value. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One metric family: its TYPE, HELP and samples. */
export interface PromFamily {
  name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help: string;
  samples: PromSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

/** The families of an exposition, by name. */
export function parsePrometheusText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const familyOf = (name: string): PromFamily => {
    let family = families.get(name);
    if (family === undefined) {
      family = { name, type: "untyped", help: "", samples: [] };
      families.set(name, family);
    }
    return family;
  };
  const lines = text.split("\n");
  if (lines.at(-1) !== "") throw new Error("the exposition must end with a newline");
  lines.forEach((line, index) => {
    const where = `line ${index + 1}: ${line}`;
    if (line === "") return;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name = "", rest = ""] = meta;
      if (!NAME.test(name)) throw new Error(`bad metric name, ${where}`);
      const family = familyOf(name);
      if (kind === "HELP") family.help = rest.replace(/\\n/g, "\n").replace(/\\\\/g, "\\");
      else {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(rest))
          throw new Error(`bad type, ${where}`);
        if (family.samples.length > 0) throw new Error(`TYPE after samples, ${where}`);
        family.type = rest as PromFamily["type"];
      }
      return;
    }
    if (line.startsWith("#")) return;
    const sample = parseSample(line, where);
    const family =
      [...families.values()].find((candidate) =>
        (SUFFIXES[candidate.type] ?? [""]).some(
          (suffix) => candidate.name + suffix === sample.name,
        ),
      ) ?? familyOf(sample.name);
    family.samples.push(sample);
  });
  return families;
}

function parseSample(line: string, where: string): PromSample {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+)?$/.exec(line);
  if (!match) throw new Error(`bad sample, ${where}`);
  const [, name = "", labelText, valueText = ""] = match;
  // Go's ParseFloat, as Prometheus reads it: NaN and Inf in any case.
  const special = valueText.toLowerCase();
  const value = /^\+?inf(inity)?$/.test(special)
    ? Infinity
    : /^-inf(inity)?$/.test(special)
      ? -Infinity
      : special === "nan"
        ? Number.NaN
        : Number(valueText);
  if (Number.isNaN(value) && special !== "nan") throw new Error(`bad value, ${where}`);
  return { name, labels: labelText ? parseLabels(labelText.slice(1, -1), where) : {}, value };
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== "") {
    const match = /^([^=]+)="((?:[^"\\]|\\.)*)"(,|$)/.exec(rest);
    if (!match) throw new Error(`bad labels, ${where}`);
    const [whole, key = "", raw = ""] = match;
    if (!LABEL.test(key)) throw new Error(`bad label name ${key}, ${where}`);
    if (key in labels) throw new Error(`label ${key} twice, ${where}`);
    labels[key] = raw.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
    rest = rest.slice(whole.length);
  }
  return labels;
}

/** The value of the one sample of `series` with these labels (and any others). */
export function sampleValue(
  families: Map<string, PromFamily>,
  family: string,
  series: string,
  labels: Record<string, string> = {},
): number {
  const found = families
    .get(family)
    ?.samples.filter(
      (sample) =>
        sample.name === series &&
        Object.entries(labels).every(([key, expected]) => sample.labels[key] === expected),
    );
  if (found === undefined || found.length !== 1)
    throw new Error(`${found?.length ?? 0} samples ${series} ${JSON.stringify(labels)}`);
  return (found[0] as PromSample).value;
}
