// Evaluation panel: scores a model's predictions (JSON Lines {id, answer}) against a
// spatialrgpt-bench export, like `sqw eval`: the per-category table, the overall rows, the ids that
// did not parse, and the per-item evidence (answer, expected and parsed value, error). All text.
import { useState } from 'react';
import type { EvalReport } from '../../../contract/exports';
import { api, errorText } from '../api/client';

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)}%`;
const num = (x: number | null | undefined, digits = 2) =>
  x === null || x === undefined ? '–' : x.toFixed(digits);
const show = (v: unknown) => (v === null || v === undefined ? '–' : JSON.stringify(v));
const ITEMS_SHOWN = 200;

export function EvalPanel() {
  const [benchPath, setBenchPath] = useState('');
  const [predictionsPath, setPredictionsPath] = useState('');
  const [report, setReport] = useState<EvalReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [onlyWrong, setOnlyWrong] = useState(true);

  async function evaluate() {
    setError(null);
    if (!benchPath.trim() || !predictionsPath.trim()) {
      setError('Give the bench file and the predictions file.');
      return;
    }
    setBusy(true);
    try {
      setReport(
        await api.exports.evaluate({
          benchPath: benchPath.trim(),
          predictionsPath: predictionsPath.trim(),
        }),
      );
    } catch (err) {
      setReport(null);
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const items = report ? report.items.filter((i) => !onlyWrong || !i.correct) : [];

  return (
    <section className="panel eval-panel" aria-labelledby="eval-title" data-testid="eval-panel">
      <h2 id="eval-title">Evaluate a model</h2>
      <label className="field">
        Bench file (bench.json from a spatialrgpt-bench export)
        <input
          type="text"
          value={benchPath}
          onChange={(e) => setBenchPath(e.target.value)}
          data-testid="eval-bench"
        />
      </label>
      <label className="field">
        Predictions (JSON Lines, one {'{"id", "answer"}'} per line)
        <input
          type="text"
          value={predictionsPath}
          onChange={(e) => setPredictionsPath(e.target.value)}
          data-testid="eval-predictions"
        />
      </label>
      <button
        type="button"
        className="btn btn-primary"
        disabled={busy}
        onClick={evaluate}
        data-testid="eval-start"
      >
        {busy ? 'Scoring…' : 'Evaluate'}
      </button>
      {error && (
        <p className="error-text alert-box" role="alert" data-testid="eval-error">
          {error}
        </p>
      )}
      {report && (
        <>
          <table className="eval-table" data-testid="eval-categories">
            <thead>
              <tr>
                <th>category</th>
                <th>n</th>
                <th>score</th>
                <th>error</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(report.categories).map(([name, c]) => (
                <tr key={name}>
                  <td>{name}</td>
                  <td>{c.n}</td>
                  <td>
                    {'accuracy' in c
                      ? `accuracy ${pct(c.accuracy)}`
                      : `success ${pct(c.success_rate)}`}
                  </td>
                  <td>
                    {'abs_rel_error' in c
                      ? `abs rel ${num(c.abs_rel_error)}`
                      : 'error_deg' in c
                        ? `${num(c.error_deg, 1)}°`
                        : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p data-testid="eval-overall">
            Qualitative: {pct(report.overall.qualitative.accuracy)} of{' '}
            {report.overall.qualitative.n}. Quantitative:{' '}
            {pct(report.overall.quantitative.success_rate)} of {report.overall.quantitative.n}, abs
            rel error {num(report.overall.quantitative.abs_rel_error)}. Direction:{' '}
            {pct(report.overall.direction.success_rate)} of {report.overall.direction.n},{' '}
            {num(report.overall.direction.error_deg, 1)}°. Unparsed or missing:{' '}
            {report.unparsed.length}.
          </p>
          <label className="check">
            <input
              type="checkbox"
              checked={onlyWrong}
              onChange={(e) => setOnlyWrong(e.target.checked)}
              data-testid="eval-only-wrong"
            />
            Only items scored wrong, unparsed or missing
          </label>
          <table className="eval-table" data-testid="eval-items">
            <thead>
              <tr>
                <th>id</th>
                <th>category</th>
                <th>answer</th>
                <th>expected</th>
                <th>parsed</th>
                <th>result</th>
              </tr>
            </thead>
            <tbody>
              {items.slice(0, ITEMS_SHOWN).map((i) => (
                <tr key={i.id}>
                  <td>{i.id}</td>
                  <td>{i.category}</td>
                  <td>{i.answer ?? '(no prediction)'}</td>
                  <td>{show(i.expected)}</td>
                  <td>{show(i.parsed)}</td>
                  <td>
                    {i.status === 'scored' ? (i.correct ? 'right' : 'wrong') : i.status}
                    {i.error !== null ? ` (error ${num(i.error)})` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {items.length > ITEMS_SHOWN && (
            <p className="muted small">
              Showing the first {ITEMS_SHOWN} of {items.length} items.
            </p>
          )}
        </>
      )}
    </section>
  );
}
