import { forwardRef, type TextareaHTMLAttributes } from 'react';
import { FieldFrame } from './field-frame';

export interface TextAreaFieldProps extends Omit<
  TextareaHTMLAttributes<HTMLTextAreaElement>,
  'id'
> {
  label: string;
  /** Shown under the field; announced with it. */
  hint?: string | undefined;
  /** Validation message; marks the field invalid. */
  error?: string | undefined;
}

/** A labelled multi-line input with hint and error wired through aria-describedby. */
export const TextAreaField = forwardRef<HTMLTextAreaElement, TextAreaFieldProps>(
  function TextAreaField({ label, hint, error, className, ...rest }, ref) {
    return (
      <FieldFrame label={label} hint={hint} error={error} className={className}>
        {(control) => <textarea ref={ref} className="input" {...control} {...rest} />}
      </FieldFrame>
    );
  },
);
