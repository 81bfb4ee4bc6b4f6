import { forwardRef, type InputHTMLAttributes } from 'react';
import { FieldFrame } from './field-frame';

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: string;
  /** Shown under the field; announced with it. */
  hint?: string | undefined;
  /** Validation message; marks the field invalid. */
  error?: string | undefined;
}

/** A labelled input with hint and error wired through aria-describedby. */
export const TextField = forwardRef<HTMLInputElement, TextFieldProps>(function TextField(
  { label, hint, error, className, ...rest },
  ref,
) {
  return (
    <FieldFrame
      label={label}
      hint={hint}
      error={error}
      required={rest.required}
      className={className}
    >
      {(control) => <input ref={ref} className="input" {...control} {...rest} />}
    </FieldFrame>
  );
});
