import { useEffect, useId, useState } from 'react';

/**
 * A search box that reports its value after the user pauses typing (debounced), so a list
 * does not refetch on every keystroke.
 */
export function SearchInput({
  label,
  value,
  onSearch,
  placeholder,
  delay = 300,
}: {
  label: string;
  value: string;
  onSearch: (value: string) => void;
  placeholder?: string;
  delay?: number;
}) {
  const id = useId();
  const [text, setText] = useState(value);

  useEffect(() => {
    if (text === value) return;
    const t = setTimeout(() => {
      onSearch(text);
    }, delay);
    return () => {
      clearTimeout(t);
    };
  }, [text, value, delay, onSearch]);

  return (
    <div className="search">
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input
        id={id}
        type="search"
        className="input search__input"
        placeholder={placeholder ?? label}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
        }}
      />
    </div>
  );
}
