import { useId, type InputHTMLAttributes } from 'react';

export interface CheckboxFieldProps extends Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'type' | 'onChange'
> {
  label: string;
  hint?: string | undefined;
  checked: boolean;
  onChange: (checked: boolean) => void;
}

/** A checkbox with its label (click target) and an optional hint. */
export function CheckboxField({
  label,
  hint,
  checked,
  onChange,
  className,
  ...rest
}: CheckboxFieldProps) {
  const id = useId();
  return (
    <div className={['checkbox-field', className ?? ''].join(' ').trim()}>
      <input
        id={id}
        type="checkbox"
        checked={checked}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => {
          onChange(e.target.checked);
        }}
        {...rest}
      />
      <div>
        <label htmlFor={id}>{label}</label>
        {hint ? (
          <p id={`${id}-hint`} className="field__hint">
            {hint}
          </p>
        ) : null}
      </div>
    </div>
  );
}
