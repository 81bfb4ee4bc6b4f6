import {
  closestCenter,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
  type DragEndEvent,
} from '@dnd-kit/core';
import {
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { useRef, useState, type ReactNode } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Toggle } from '@/components/ui/toggle';
import { UnsavedChangesPrompt, useUnsavedChanges } from '@/hooks/use-unsaved-changes';
import { errorMessage } from '@/lib/api-error';
import { useUpdateApplicationLinks } from '../api/update-application-links';
import { pageIsHTTP } from './link-target';
import { LinkTargetFields } from './link-target-fields';
import { AddCustomLink } from './add-custom-link';
import {
  fingerprint,
  flatten,
  GROUPS,
  labelError,
  move,
  removeCustom,
  targetIssue,
  toGroups,
  toInput,
  type Grouped,
  type Link,
  type LinkRow,
} from './links-model';

/**
 * The Configure page's editor: the 14 links in three groups and the custom links (up to 10 of
 * staff's own, added, edited and removed here); switch each on or off, rename it
 * inline, reorder it by drag and drop (pointer or keyboard: Space, arrows, Space) or with the
 * Move up / Move down buttons, and choose where it lands (client area or an external URL, see
 * LinkTargetFields). Save Changes sends the whole list; leaving with unsaved changes asks first.
 */
export function LinksEditor({
  module,
  links,
  enabled,
}: {
  module: string;
  links: Link[];
  enabled: boolean;
}) {
  const save = useUpdateApplicationLinks(module);
  const [groups, setGroups] = useState<Grouped>(() => toGroups(links));
  const [saved, setSaved] = useState<string>(() => fingerprint(toGroups(links)));
  const [showErrors, setShowErrors] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const dirty = fingerprint(groups) !== saved;
  const blocker = useUnsavedChanges(dirty);
  const rows = flatten(groups);
  const allowHTTP = pageIsHTTP();
  const invalidLabels = rows.filter((r) => labelError(r.label));
  const invalidTargets = rows.filter((r) => targetIssue(r, allowHTTP));
  const invalid = [...invalidLabels, ...invalidTargets];

  function updateRow(group: string, key: string, change: Partial<LinkRow>) {
    setNotice(null);
    setGroups((g) => ({
      ...g,
      [group]: (g[group] ?? []).map((r) => (r.key === key ? { ...r, ...change } : r)),
    }));
  }

  function moveRow(group: string, from: number, to: number) {
    setNotice(null);
    setGroups((g) => ({ ...g, [group]: move(g[group] ?? [], from, to) }));
  }

  function removeRow(key: string) {
    setNotice(null);
    setGroups((g) => removeCustom(g, key));
  }

  function onSave() {
    if (invalid.length > 0) {
      setShowErrors(true);
      const first = invalidLabels[0];
      const target = invalidTargets[0];
      if (first)
        formRef.current?.querySelector<HTMLElement>(`[data-label-for="${first.key}"]`)?.focus();
      else if (target)
        formRef.current
          ?.querySelector<HTMLElement>(`[data-target-for="${target.key}"] input`)
          ?.focus();
      return;
    }
    save.mutate(toInput(groups), {
      onSuccess: (answer) => {
        const next = toGroups(answer.links);
        setGroups(next);
        setSaved(fingerprint(next));
        setShowErrors(false);
        setNotice(
          answer.operation
            ? 'Saved. The new links are being pushed to every account.'
            : enabled
              ? 'Saved.'
              : 'Saved. The links are pushed to accounts when application links are enabled.',
        );
      },
    });
  }

  return (
    <form
      ref={formRef}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSave();
      }}
    >
      <div aria-live="polite">
        {notice && !dirty ? <Alert tone="success">{notice}</Alert> : null}
      </div>
      {save.isError ? <Alert tone="error">{errorMessage(save.error)}</Alert> : null}
      {showErrors && invalidLabels.length > 0 ? (
        <Alert tone="error">
          {invalidLabels.length === 1
            ? 'One label needs'
            : `${String(invalidLabels.length)} labels need`}{' '}
          attention before saving.
        </Alert>
      ) : null}
      {showErrors && invalidTargets.length > 0 ? (
        <Alert tone="error">
          {invalidTargets.length === 1
            ? 'One destination URL needs'
            : `${String(invalidTargets.length)} destination URLs need`}{' '}
          attention before saving.
        </Alert>
      ) : null}
      {GROUPS.map((g) => (
        <LinkGroup
          key={g.key}
          title={g.title}
          rows={groups[g.key] ?? []}
          allowHTTP={allowHTTP}
          onChange={(key, change) => {
            updateRow(g.key, key, change);
          }}
          onMove={(from, to) => {
            moveRow(g.key, from, to);
          }}
          onRemove={removeRow}
        >
          {g.key === 'custom' ? (
            <AddCustomLink
              groups={groups}
              onAdd={(next) => {
                setNotice(null);
                setGroups(next);
              }}
            />
          ) : null}
        </LinkGroup>
      ))}
      <div className="savebar">
        <span className="muted" aria-live="polite">
          {dirty ? 'You have unsaved changes.' : 'All changes saved.'}
        </span>
        <Button
          onClick={() => {
            setGroups(toGroups(links));
            setShowErrors(false);
          }}
          disabled={!dirty || save.isPending}
        >
          Discard changes
        </Button>
        <Button type="submit" variant="primary" busy={save.isPending} disabled={!dirty}>
          Save Changes
        </Button>
      </div>
      <UnsavedChangesPrompt blocker={blocker} />
    </form>
  );
}

function LinkGroup({
  title,
  rows,
  allowHTTP,
  onChange,
  onMove,
  onRemove,
  children,
}: {
  title: string;
  rows: LinkRow[];
  allowHTTP: boolean;
  onChange: (key: string, change: Partial<LinkRow>) => void;
  onMove: (from: number, to: number) => void;
  onRemove: (key: string) => void;
  children?: ReactNode;
}) {
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );

  function onDragEnd(e: DragEndEvent) {
    const { active, over } = e;
    if (!over || active.id === over.id) return;
    const from = rows.findIndex((r) => r.key === active.id);
    const to = rows.findIndex((r) => r.key === over.id);
    onMove(from, to);
  }

  const headingId = `group-${title.toLowerCase().replace(/\s+/g, '-')}`;
  return (
    <section className="card link-group" aria-labelledby={headingId}>
      <h2 id={headingId} className="section-title">
        {title}
      </h2>
      <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
        <SortableContext items={rows.map((r) => r.key)} strategy={verticalListSortingStrategy}>
          <ol className="link-list">
            {rows.map((row, i) => (
              <SortableLink
                key={row.key}
                row={row}
                index={i}
                count={rows.length}
                allowHTTP={allowHTTP}
                onChange={(change) => {
                  onChange(row.key, change);
                }}
                onMove={onMove}
                onRemove={() => {
                  onRemove(row.key);
                }}
              />
            ))}
          </ol>
        </SortableContext>
      </DndContext>
      {children}
    </section>
  );
}

function SortableLink({
  row,
  index,
  count,
  allowHTTP,
  onChange,
  onMove,
  onRemove,
}: {
  row: LinkRow;
  index: number;
  count: number;
  allowHTTP: boolean;
  onChange: (change: Partial<LinkRow>) => void;
  onMove: (from: number, to: number) => void;
  onRemove: () => void;
}) {
  const {
    attributes,
    listeners,
    setNodeRef,
    setActivatorNodeRef,
    transform,
    transition,
    isDragging,
  } = useSortable({ id: row.key });
  const error = labelError(row.label);
  // Content errors show at once; an empty label is flagged at once too, as Save would refuse it.
  const shownError = error;
  const inputId = `label-${row.key}`;
  const name = row.label.trim() || row.defaultLabel;

  return (
    <li
      ref={setNodeRef}
      className={`link-row${isDragging ? ' link-row--dragging' : ''}${row.enabled ? '' : ' link-row--off'}`}
      style={{ transform: CSS.Transform.toString(transform), transition }}
    >
      <button
        type="button"
        className="link-row__handle"
        ref={setActivatorNodeRef}
        aria-label={`Drag to reorder ${name}`}
        {...attributes}
        {...listeners}
      >
        <span aria-hidden="true">⠿</span>
      </button>
      <Toggle
        checked={row.enabled}
        ariaLabel={`Show ${name}`}
        onChange={(on) => {
          onChange({ enabled: on });
        }}
      />
      <div className="link-row__label">
        <label htmlFor={inputId} className="visually-hidden">
          Label for {row.defaultLabel}
        </label>
        <input
          id={inputId}
          data-label-for={row.key}
          className="input"
          value={row.label}
          maxLength={80}
          aria-invalid={shownError ? true : undefined}
          aria-describedby={`${inputId}-hint${shownError ? ` ${inputId}-error` : ''}`}
          onChange={(e) => {
            onChange({ label: e.target.value });
          }}
        />
        <p id={`${inputId}-hint`} className="field__hint">
          {!row.custom && row.label.trim() !== row.defaultLabel
            ? `Default: ${row.defaultLabel} · `
            : ''}
          <span className="mono">{row.key}</span>
          {row.route && row.target === 'client_area' ? ` → ${row.route}` : ''}
        </p>
        {shownError ? (
          <p id={`${inputId}-error`} className="field__error">
            {shownError}
          </p>
        ) : null}
        <div data-target-for={row.key}>
          <LinkTargetFields row={row} error={targetIssue(row, allowHTTP)} onChange={onChange} />
        </div>
      </div>
      <div className="link-row__moves">
        {row.custom ? (
          <Button size="sm" variant="ghost" aria-label={`Remove ${name}`} onClick={onRemove}>
            Remove
          </Button>
        ) : null}
        {!row.custom && row.label.trim() !== row.defaultLabel ? (
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Restore the default label of ${name}`}
            onClick={() => {
              onChange({ label: row.defaultLabel });
            }}
          >
            Reset
          </Button>
        ) : null}
        <Button
          size="sm"
          aria-label={`Move ${name} up`}
          disabled={index === 0}
          onClick={() => {
            onMove(index, index - 1);
          }}
        >
          ↑
        </Button>
        <Button
          size="sm"
          aria-label={`Move ${name} down`}
          disabled={index === count - 1}
          onClick={() => {
            onMove(index, index + 1);
          }}
        >
          ↓
        </Button>
      </div>
    </li>
  );
}
