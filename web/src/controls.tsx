import { useT } from './i18n';

/** A labelled drop-down. */
export function Select({
  id,
  label,
  value,
  options,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  options: Array<{ value: string; label: string }>;
  onChange: (v: string) => void;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Values that are their own labels (codes the API defines). */
export const plain = (values: string[]) => values.map((v) => ({ value: v, label: v }));

export function ProblemList({ problems, title }: { problems: string[]; title?: string }) {
  const t = useT();
  return (
    <div class="problems" role="alert">
      <p>{title ?? t('error')}</p>
      <ul>
        {problems.map((p, i) => (
          <li key={i}>{p}</li>
        ))}
      </ul>
    </div>
  );
}
