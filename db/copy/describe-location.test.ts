// Where a project lives, as printed by `sqw project copy` and shown to reviewers by a team server
// (projects.list): the database password never appears, in the URL's user part or its query.
import { describe, expect, it } from 'vitest';
import { describeLocation } from './project-copy';

describe('describeLocation', () => {
  it('hides the password of a PostgreSQL URL wherever it is given', () => {
    const shown = describeLocation('postgres://sqw:s3cret@db.lab:5432/rooms?sslmode=require');
    expect(shown).not.toContain('s3cret');
    expect(shown).toContain('db.lab:5432/rooms');
    const inQuery = describeLocation(
      'postgresql://sqw@db.lab/rooms?password=s3cret&sslmode=require',
    );
    expect(inQuery).not.toContain('s3cret');
    expect(inQuery).toContain('sslmode=require');
  });
});
