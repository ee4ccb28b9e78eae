// HTML built from tagged templates: every interpolated value is escaped unless it is already
// HTML (another template's result), so no task title or error message can inject markup.

/** A piece of HTML that is safe to interpolate as is. */
export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

/** Escapes `&<>"'` for text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

/** `html\`<td>${title}</td>\``: the values escaped, nested templates and arrays kept. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let text = strings[0] ?? "";
  for (let i = 0; i < values.length; i++)
    text += render(values[i] as Value) + (strings[i + 1] ?? "");
  return new Html(text);
}
