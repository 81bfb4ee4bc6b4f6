import { useId } from 'react';

export interface ToggleProps {
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** Visible label, or use `ariaLabel` when the context already names it visually. */
  label?: string;
  ariaLabel?: string;
  disabled?: boolean;
  busy?: boolean;
  description?: string;
}

/** An on/off switch (a button with role="switch"), operable with Space and Enter. */
export function Toggle({
  checked,
  onChange,
  label,
  ariaLabel,
  disabled,
  busy,
  description,
}: ToggleProps) {
  const id = useId();
  return (
    <span className="toggle">
      <button
        type="button"
        role="switch"
        id={id}
        aria-checked={checked}
        aria-label={label ? undefined : ariaLabel}
        aria-describedby={description ? `${id}-desc` : undefined}
        aria-busy={busy ?? undefined}
        disabled={(disabled ?? false) || (busy ?? false)}
        className={`toggle__track${checked ? ' toggle__track--on' : ''}`}
        onClick={() => {
          onChange(!checked);
        }}
      >
        <span className="toggle__thumb" aria-hidden="true" />
      </button>
      {label ? (
        <label htmlFor={id} className="toggle__label">
          {label}
        </label>
      ) : null}
      {description ? (
        <span id={`${id}-desc`} className="visually-hidden">
          {description}
        </span>
      ) : null}
    </span>
  );
}
