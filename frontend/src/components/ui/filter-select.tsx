/** One choice of a FilterSelect. */
export interface FilterOption {
  value: string;
  label: string;
}

/**
 * A list filter's <select> in a toolbar: first the `all` choice (the empty value: no filter),
 * then `options`. The label wraps the select, visible (inline-label), or with `hiddenLabel`
 * is for screen readers only and stands before it.
 */
export function FilterSelect({
  id,
  label,
  hiddenLabel,
  value,
  all,
  options,
  onChange,
}: {
  id: string;
  label: string;
  hiddenLabel?: boolean;
  value: string;
  /** The text of the no-filter choice, e.g. All statuses. */
  all: string;
  options: readonly FilterOption[];
  onChange: (value: string) => void;
}) {
  const select = (
    <select
      id={id}
      className="input"
      value={value}
      onChange={(e) => {
        onChange(e.target.value);
      }}
    >
      <option value="">{all}</option>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
  if (hiddenLabel) {
    return (
      <>
        <label className="visually-hidden" htmlFor={id}>
          {label}
        </label>
        {select}
      </>
    );
  }
  return (
    <label className="inline-label" htmlFor={id}>
      {label}
      {select}
    </label>
  );
}

/** Options whose label is the value itself, e.g. statuses. */
export const valueOptions = (values: readonly string[]): FilterOption[] =>
  values.map((v) => ({ value: v, label: v }));

/** Options from a value → label map. */
export const mapOptions = (labels: Readonly<Record<string, string>>): FilterOption[] =>
  Object.entries(labels).map(([value, label]) => ({ value, label }));
