// Everything the engine knows about one image, as plain text rows.
import type { ImageDetail } from '../../../contract/entities';
import {
  formatBytes,
  formatMeters,
  formatNumber,
  formatOrientation,
  formatPercent,
  pickExif,
  shortHash,
} from '../lib/format';

function Row({
  label,
  value,
  testid,
  title,
}: {
  label: string;
  value: string;
  testid?: string;
  title?: string;
}) {
  return (
    <div className="meta-row">
      <dt>{label}</dt>
      <dd data-testid={testid} title={title ?? value}>
        {value}
      </dd>
    </div>
  );
}

export function MetadataPanel({ image }: { image: ImageDetail }) {
  const exif = pickExif(image.exif);
  const k = image.intrinsics;
  return (
    <div className="metadata" data-testid="image-metadata">
      <h3>File</h3>
      <dl>
        <Row label="Name" value={image.fileName} testid="meta-file" title={image.sourcePath} />
        <Row label="Path" value={image.relPath} title={image.sourcePath} />
        <Row label="Size" value={`${image.width} × ${image.height}`} testid="meta-size" />
        <Row label="Format" value={`${image.format} · ${formatBytes(image.bytes)}`} />
        <Row label="Orientation" value={formatOrientation(image.orientation)} />
        <Row label="Status" value={image.status} testid="meta-status" />
        <Row label="SHA-256" value={shortHash(image.sha256)} title={image.sha256} />
      </dl>
      <h3>
        Intrinsics <span className="tag">{k.source}</span>
      </h3>
      <dl className="meta-grid" data-testid="meta-intrinsics">
        <Row label="fx" value={formatNumber(k.fx)} testid="meta-fx" />
        <Row label="fy" value={formatNumber(k.fy)} testid="meta-fy" />
        <Row label="cx" value={formatNumber(k.cx)} testid="meta-cx" />
        <Row label="cy" value={formatNumber(k.cy)} testid="meta-cy" />
      </dl>
      <h3>Depth</h3>
      {image.depth ? (
        <dl data-testid="meta-depth">
          <Row label="Source" value={image.depth.source} />
          <Row label="Encoding" value={image.depth.encoding} testid="meta-depth-encoding" />
          <Row label="Resolution" value={`${image.depth.width} × ${image.depth.height}`} />
          <Row
            label="Valid"
            value={formatPercent(image.depth.validRatio)}
            testid="meta-depth-valid"
          />
          <Row label="Min" value={formatMeters(image.depth.minMeters)} testid="meta-depth-min" />
          <Row label="Max" value={formatMeters(image.depth.maxMeters)} testid="meta-depth-max" />
        </dl>
      ) : (
        <p className="muted small">No depth for this image.</p>
      )}
      {exif.length > 0 && (
        <>
          <h3>EXIF</h3>
          <dl data-testid="meta-exif">
            {exif.map((e) => (
              <Row key={e.label} label={e.label} value={e.value} />
            ))}
          </dl>
        </>
      )}
    </div>
  );
}
