import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import {
  addCustom,
  customCount,
  CUSTOM_PREFIX,
  labelError,
  MAX_CUSTOM_LINKS,
  slugError,
  type Grouped,
} from './links-model';

/**
 * Adds a custom link to the page (saved with Save Changes): a key custom_<slug> and a label,
 * checked with the server's rules; at most MAX_CUSTOM_LINKS per application.
 */
export function AddCustomLink({
  groups,
  onAdd,
}: {
  groups: Grouped;
  onAdd: (next: Grouped) => void;
}) {
  const [slug, setSlug] = useState('');
  const [label, setLabel] = useState('');
  const [tried, setTried] = useState(false);
  const full = customCount(groups) >= MAX_CUSTOM_LINKS;
  const slugIssue = slugError(slug.trim(), groups);
  const labelIssue = labelError(label);

  if (full)
    return (
      <p className="muted">
        This application has {String(MAX_CUSTOM_LINKS)} custom links, the most it may carry.
      </p>
    );
  return (
    <div className="add-custom-link" role="group" aria-label="Add a custom link">
      <TextField
        label="Key of the new custom link"
        className="mono"
        value={slug}
        placeholder="status"
        hint={`Saved as ${CUSTOM_PREFIX}${slug.trim() || '<slug>'}: lowercase letters, digits and _.`}
        error={tried ? slugIssue : undefined}
        onChange={(e) => {
          setSlug(e.target.value);
        }}
      />
      <TextField
        label="Label of the new custom link"
        value={label}
        placeholder="Service status"
        error={tried ? labelIssue : undefined}
        onChange={(e) => {
          setLabel(e.target.value);
        }}
      />
      <Button
        onClick={() => {
          setTried(true);
          if (slugIssue || labelIssue) return;
          onAdd(addCustom(groups, slug.trim(), label.trim()));
          setSlug('');
          setLabel('');
          setTried(false);
        }}
      >
        Add custom link
      </Button>
    </div>
  );
}
