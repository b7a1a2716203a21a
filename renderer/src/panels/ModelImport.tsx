// "Import a local export": copies a transformers.js folder or one .onnx file into the models folder
// for a catalogue entry (the engine's models.import, which checks names and checksums), so a model
// with no download URL can be installed without the CLI.
import { useState } from 'react';
import type { ModelInfo } from '../../../contract/models';
import { api, errorText } from '../api/client';

export function ModelImport({
  models,
  onImported,
}: {
  models: readonly ModelInfo[];
  onImported: () => void;
}) {
  // Models without a download URL first: those are the ones only an import can install.
  const choices = [...models].sort((a, b) => Number(a.downloadable) - Number(b.downloadable));
  const [modelId, setModelId] = useState('');
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const id = modelId || choices[0]?.id || '';

  async function submit() {
    setError(null);
    setResult(null);
    const folder = path.trim();
    if (!id) return setError('Choose the model the export is of.');
    if (!folder) return setError('Give the folder (or .onnx file) of the export.');
    setBusy(true);
    try {
      const r = await api.models.import({ id, path: folder });
      setResult(
        `${r.model.displayName}: ${r.copied.length} file${r.copied.length === 1 ? '' : 's'} copied` +
          (r.skipped.length ? `, not in the export: ${r.skipped.join(', ')}` : ''),
      );
      onImported();
    } catch (err) {
      setError(errorText(err));
      // The failure is recorded on the model (lastError): show it in the list too.
      onImported();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="form model-import"
      data-testid="model-import"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>Import a local export</h3>
      <p className="muted small">
        A folder in the transformers.js layout (config.json, onnx/model.onnx, …) or one .onnx file.
      </p>
      <label className="field">
        <span>Model</span>
        <select
          value={id}
          onChange={(e) => setModelId(e.target.value)}
          data-testid="model-import-id"
        >
          {choices.map((m) => (
            <option key={m.id} value={m.id}>
              {m.displayName} ({m.id}){m.installed ? ' — installed' : ''}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Folder or .onnx file</span>
        <input
          type="text"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="/path/to/export"
          spellCheck={false}
          data-testid="model-import-path"
        />
      </label>
      <div className="form-actions">
        <button
          type="submit"
          className="btn primary"
          disabled={busy}
          data-testid="model-import-start"
        >
          {busy ? 'Importing…' : 'Import'}
        </button>
      </div>
      {error && (
        <p className="error-text small" role="alert" data-testid="model-import-error">
          {error}
        </p>
      )}
      {result && (
        <p className="small" role="status" data-testid="model-import-result">
          {result}
        </p>
      )}
    </form>
  );
}
