// Package document keeps the files applicants attach: registration
// certificates, photos, passport pages and others. A file is stored in
// blob storage under a random key and described by a row. Files uploaded
// while a form is still being filled in belong to the form's draft (a
// random id carried by the form), so they survive a validation error;
// they are attached to the cabinet when the form is accepted.
package document

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/blob"
	"github.com/emgek/emgek/internal/db"
)

// Kind is what a document is.
type Kind string

// The kinds.
const (
	RegistrationCertificate Kind = "registration_certificate"
	Photo                   Kind = "photo"
	PassportPage            Kind = "passport_page"
	Other                   Kind = "other"
)

// Single reports whether a cabinet has one document of the kind (a new
// upload replaces the old one) rather than any number.
func (k Kind) Single() bool { return k != Other }

// Reviewed reports whether a new version of the kind must be checked by
// the ministry first (a change request) instead of replacing at once.
func (k Kind) Reviewed() bool { return k == Photo || k == PassportPage || k == RegistrationCertificate }

// Document is a stored file.
type Document struct {
	ID          int64
	CabinetID   int64
	Kind        Kind
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
	BlobKey     string
	CreatedAt   time.Time
	RootID      int64      // the first version's id (itself for a first version)
	Superseded  *time.Time // when a newer version replaced it
	Review      string     // "" (in force), "pending" or "rejected" by the ministry
	Versions    int        // in lists of current documents: how many versions there are
}

// Service stores documents.
type Service struct {
	DB    *db.DB
	Blobs blob.Store
	Now   func() time.Time
}

// MaxDraftFiles bounds the files one form may hold.
const MaxDraftFiles = 20

// DraftTTL is how long an abandoned draft's files are kept.
const DraftTTL = 24 * time.Hour

// SaveDraft stores body as a document of the draft. For a single kind it
// replaces the draft's earlier file of that kind.
func (s *Service) SaveDraft(ctx context.Context, draft string, kind Kind, filename, contentType string, body io.Reader) (Document, error) {
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM documents WHERE draft = $1`, draft).Scan(&n); err != nil {
		return Document{}, fmt.Errorf("document.SaveDraft: %w", err)
	}
	if n >= MaxDraftFiles {
		return Document{}, apperr.New(apperr.Invalid, "upload.too_many_files")
	}
	d, err := s.store(ctx, filename, contentType, body)
	if err != nil {
		return Document{}, err
	}
	d.Kind = kind
	key := d.BlobKey
	var replaced []string
	err = s.DB.Transact(ctx, func(tx *db.DB) error {
		if kind.Single() {
			keys, err := deleteDraftKind(ctx, tx, draft, kind)
			if err != nil {
				return err
			}
			replaced = keys
		}
		return tx.WriteRow(ctx, `INSERT INTO documents (draft, kind, filename, content_type, size, sha256, blob_key, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			draft, d.Kind, d.Filename, d.ContentType, d.Size, d.SHA256, d.BlobKey, d.CreatedAt).Scan(&d.ID)
	})
	if err != nil {
		_ = s.Blobs.Delete(ctx, key)
		return Document{}, fmt.Errorf("document.SaveDraft: %w", err)
	}
	for _, k := range replaced {
		_ = s.Blobs.Delete(ctx, k)
	}
	return d, nil
}

// StoreFile puts a file in blob storage and returns its description, not
// yet recorded: InsertPending records it in the caller's transaction.
func (s *Service) StoreFile(ctx context.Context, filename, contentType string, body io.Reader) (Document, error) {
	return s.store(ctx, filename, contentType, body)
}

// InsertPending records d as a new version of the cabinet's document of
// kind that waits for the ministry's review, in tx; it returns the id of
// the version now in force (0 when there is none).
func InsertPending(ctx context.Context, tx *db.DB, cabinetID int64, kind Kind, d *Document) (int64, error) {
	d.Kind, d.CabinetID, d.Review = kind, cabinetID, "pending"
	var current sql.NullInt64
	var root sql.NullInt64
	err := tx.QueryRow(ctx, `SELECT id, COALESCE(root_id, id) FROM documents WHERE cabinet_id = $1 AND kind = $2 AND superseded_at IS NULL AND review = ''`,
		cabinetID, kind).Scan(&current, &root)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("document.InsertPending: %w", err)
	}
	if err := tx.WriteRow(ctx, `INSERT INTO documents (cabinet_id, kind, filename, content_type, size, sha256, blob_key, created_at, root_id, review)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending') RETURNING id`,
		cabinetID, kind, d.Filename, d.ContentType, d.Size, d.SHA256, d.BlobKey, d.CreatedAt, root).Scan(&d.ID); err != nil {
		return 0, fmt.Errorf("document.InsertPending: %w", err)
	}
	d.RootID = d.ID
	if root.Valid {
		d.RootID = root.Int64
	}
	return current.Int64, nil
}

// Promote puts a pending version in force in tx, superseding the one it
// replaces.
func Promote(ctx context.Context, tx *db.DB, cabinetID, id int64, now time.Time) error {
	res, err := tx.Exec(ctx, `UPDATE documents SET review = '' WHERE id = $1 AND cabinet_id = $2 AND review = 'pending'`, id, cabinetID)
	if err != nil {
		return fmt.Errorf("document.Promote: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "document.already_replaced")
	}
	_, err = tx.Exec(ctx, `UPDATE documents SET superseded_at = $1 WHERE cabinet_id = $2 AND superseded_at IS NULL AND review = ''
		AND COALESCE(root_id, id) = (SELECT COALESCE(root_id, id) FROM documents WHERE id = $3) AND id <> $3`, now, cabinetID, id)
	if err != nil {
		return fmt.Errorf("document.Promote: %w", err)
	}
	return nil
}

// Refuse marks a pending version as refused in tx; it stays in history.
func Refuse(ctx context.Context, tx *db.DB, cabinetID, id int64) error {
	if _, err := tx.Exec(ctx, `UPDATE documents SET review = 'rejected' WHERE id = $1 AND cabinet_id = $2 AND review = 'pending'`, id, cabinetID); err != nil {
		return fmt.Errorf("document.Refuse: %w", err)
	}
	return nil
}

// store puts the file in blob storage, hashing and counting it on the way.
func (s *Service) store(ctx context.Context, filename, contentType string, body io.Reader) (Document, error) {
	key := blob.NewKey("doc")
	h := sha256.New()
	cr := &countReader{r: io.TeeReader(body, h)}
	if err := s.Blobs.Put(ctx, key, cr, -1, contentType); err != nil {
		_ = s.Blobs.Delete(ctx, key)
		return Document{}, err
	}
	return Document{Filename: filename, ContentType: contentType, Size: cr.n,
		SHA256: hex.EncodeToString(h.Sum(nil)), BlobKey: key, CreatedAt: s.Now().UTC()}, nil
}

func deleteDraftKind(ctx context.Context, tx *db.DB, draft string, kind Kind) ([]string, error) {
	rows, err := tx.Query(ctx, `DELETE FROM documents WHERE draft = $1 AND kind = $2 RETURNING blob_key`, draft, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

const columns = `id, COALESCE(cabinet_id, 0), kind, filename, content_type, size, sha256, blob_key, created_at,
	COALESCE(root_id, id), superseded_at, review`

func scanAll(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) ([]Document, error) {
	var out []Document
	for rows.Next() {
		var d Document
		var sup sql.NullTime
		if err := rows.Scan(&d.ID, &d.CabinetID, &d.Kind, &d.Filename, &d.ContentType, &d.Size, &d.SHA256, &d.BlobKey, &d.CreatedAt,
			&d.RootID, &sup, &d.Review); err != nil {
			return nil, err
		}
		if sup.Valid {
			d.Superseded = &sup.Time
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Draft lists the files of a draft, oldest first.
func (s *Service) Draft(ctx context.Context, draft string) ([]Document, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+columns+` FROM documents WHERE draft = $1 ORDER BY id`, draft)
	if err != nil {
		return nil, fmt.Errorf("document.Draft: %w", err)
	}
	defer rows.Close()
	docs, err := scanAll(rows)
	if err != nil {
		return nil, fmt.Errorf("document.Draft: %w", err)
	}
	return docs, nil
}

// RemoveDraft deletes one file from a draft (the "remove" button).
func (s *Service) RemoveDraft(ctx context.Context, draft string, id int64) error {
	var key string
	err := s.DB.WriteRow(ctx, `DELETE FROM documents WHERE draft = $1 AND id = $2 RETURNING blob_key`, draft, id).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // already gone: nothing to do
	}
	if err != nil {
		return fmt.Errorf("document.RemoveDraft: %w", err)
	}
	return s.Blobs.Delete(ctx, key)
}

// Attach moves a draft's files to a cabinet in tx.
func Attach(ctx context.Context, tx *db.DB, draft string, cabinetID int64) error {
	if _, err := tx.Exec(ctx, `UPDATE documents SET cabinet_id = $1, draft = NULL WHERE draft = $2`, cabinetID, draft); err != nil {
		return fmt.Errorf("document.Attach: %w", err)
	}
	return nil
}

// DiscardDraft deletes a draft's files (an abandoned or refused form).
func (s *Service) DiscardDraft(ctx context.Context, draft string) error {
	rows, err := s.DB.Query(ctx, `SELECT blob_key FROM documents WHERE draft = $1`, draft)
	if err != nil {
		return fmt.Errorf("document.DiscardDraft: %w", err)
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return err
		}
		keys = append(keys, k)
	}
	rows.Close()
	if _, err := s.DB.Exec(ctx, `DELETE FROM documents WHERE draft = $1`, draft); err != nil {
		return fmt.Errorf("document.DiscardDraft: %w", err)
	}
	for _, k := range keys {
		_ = s.Blobs.Delete(ctx, k)
	}
	return nil
}

// SweepDrafts deletes the files of drafts abandoned for DraftTTL, so an
// unfinished form does not keep someone's passport scan for ever.
func (s *Service) SweepDrafts(ctx context.Context) error {
	rows, err := s.DB.Query(ctx, `SELECT DISTINCT draft FROM documents WHERE draft IS NOT NULL AND created_at < $1`,
		s.Now().UTC().Add(-DraftTTL))
	if err != nil {
		return fmt.Errorf("document.SweepDrafts: %w", err)
	}
	var drafts []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			rows.Close()
			return err
		}
		drafts = append(drafts, d)
	}
	rows.Close()
	for _, d := range drafts {
		if err := s.DiscardDraft(ctx, d); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ByCabinet lists a cabinet's current documents, oldest first, each with
// its number of versions.
func (s *Service) ByCabinet(ctx context.Context, cabinetID int64) ([]Document, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+columns+` FROM documents WHERE cabinet_id = $1 AND superseded_at IS NULL AND review = '' ORDER BY id`, cabinetID)
	if err != nil {
		return nil, fmt.Errorf("document.ByCabinet: %w", err)
	}
	defer rows.Close()
	docs, err := scanAll(rows)
	if err != nil {
		return nil, fmt.Errorf("document.ByCabinet: %w", err)
	}
	counts := map[int64]int{}
	crow, err := s.DB.Query(ctx, `SELECT COALESCE(root_id, id), count(*) FROM documents WHERE cabinet_id = $1 GROUP BY COALESCE(root_id, id)`, cabinetID)
	if err != nil {
		return nil, fmt.Errorf("document.ByCabinet: %w", err)
	}
	defer crow.Close()
	for crow.Next() {
		var root int64
		var n int
		if err := crow.Scan(&root, &n); err != nil {
			return nil, err
		}
		counts[root] = n
	}
	for i := range docs {
		docs[i].Versions = counts[docs[i].RootID]
	}
	return docs, crow.Err()
}

// AddToCase attaches a file to a cabinet's application (a case).
func (s *Service) AddToCase(ctx context.Context, cabinetID, caseID int64, filename, contentType string, body io.Reader, by audit.Event) (Document, error) {
	d, err := s.store(ctx, filename, contentType, body)
	if err != nil {
		return Document{}, err
	}
	d.Kind, d.CabinetID = Other, cabinetID
	err = s.DB.Transact(ctx, func(tx *db.DB) error {
		// Only while the application may still take documents, checked
		// under the row's lock, not on a copy read before the upload.
		res, err := tx.Exec(ctx, `UPDATE cases SET updated_at = updated_at
			WHERE id = $1 AND cabinet_id = $2 AND status IN ('draft', 'documents_requested')`, caseID, cabinetID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "case.already_changed")
		}
		if err := tx.WriteRow(ctx, `INSERT INTO documents (cabinet_id, case_id, kind, filename, content_type, size, sha256, blob_key, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			cabinetID, caseID, d.Kind, d.Filename, d.ContentType, d.Size, d.SHA256, d.BlobKey, d.CreatedAt).Scan(&d.ID); err != nil {
			return err
		}
		by.Action, by.Object = "document.add", "case:"+strconv.FormatInt(caseID, 10)
		by.Detail = "document:" + strconv.FormatInt(d.ID, 10)
		return audit.Record(ctx, tx, d.CreatedAt, by)
	})
	if err != nil {
		_ = s.Blobs.Delete(ctx, d.BlobKey)
		return Document{}, fmt.Errorf("document.AddToCase: %w", err)
	}
	return d, nil
}

// ByCase lists the files attached to an application, oldest first.
func (s *Service) ByCase(ctx context.Context, caseID int64) ([]Document, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+columns+` FROM documents WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("document.ByCase: %w", err)
	}
	defer rows.Close()
	return scanAll(rows)
}

// History lists every version of a cabinet's document, newest first.
func (s *Service) History(ctx context.Context, cabinetID, rootID int64) ([]Document, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+columns+` FROM documents WHERE cabinet_id = $1 AND COALESCE(root_id, id) = $2 ORDER BY id DESC`, cabinetID, rootID)
	if err != nil {
		return nil, fmt.Errorf("document.History: %w", err)
	}
	defer rows.Close()
	return scanAll(rows)
}

// Replace adds a new version of a cabinet's current document; the
// previous one stays, marked superseded. A version replaced meanwhile (a
// double submit, two tabs) is a Conflict, and the new file is not kept.
func (s *Service) Replace(ctx context.Context, cabinetID, id int64, filename, contentType string, body io.Reader, by audit.Event) (Document, error) {
	old, err := s.OfCabinet(ctx, cabinetID, id)
	if err != nil {
		return Document{}, err
	}
	if old.Superseded != nil || old.Review != "" {
		return Document{}, apperr.New(apperr.Conflict, "document.already_replaced")
	}
	if old.Kind.Reviewed() {
		return Document{}, apperr.New(apperr.Forbidden, "documents.needs_review")
	}
	d, err := s.store(ctx, filename, contentType, body)
	if err != nil {
		return Document{}, err
	}
	d.Kind, d.CabinetID, d.RootID = old.Kind, cabinetID, old.RootID
	err = s.DB.Transact(ctx, func(tx *db.DB) error {
		res, err := tx.Exec(ctx, `UPDATE documents SET superseded_at = $1 WHERE id = $2 AND cabinet_id = $3 AND superseded_at IS NULL AND review = ''`, d.CreatedAt, id, cabinetID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "document.already_replaced")
		}
		err = tx.WriteRow(ctx, `INSERT INTO documents (cabinet_id, kind, filename, content_type, size, sha256, blob_key, created_at, root_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			cabinetID, d.Kind, d.Filename, d.ContentType, d.Size, d.SHA256, d.BlobKey, d.CreatedAt, d.RootID).Scan(&d.ID)
		if err != nil {
			return err
		}
		by.Action, by.Object = "document.replace", "cabinet:"+strconv.FormatInt(cabinetID, 10)
		by.Detail = fmt.Sprintf("document:%d replaces document:%d", d.ID, id)
		return audit.Record(ctx, tx, d.CreatedAt, by)
	})
	if err != nil {
		_ = s.Blobs.Delete(ctx, d.BlobKey)
		return Document{}, err
	}
	return d, nil
}

// OfCabinet returns document id if it belongs to the cabinet — the
// ownership check every download goes through. Otherwise NotFound.
func (s *Service) OfCabinet(ctx context.Context, cabinetID, id int64) (Document, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+columns+` FROM documents WHERE cabinet_id = $1 AND id = $2`, cabinetID, id)
	if err != nil {
		return Document{}, fmt.Errorf("document.OfCabinet: %w", err)
	}
	defer rows.Close()
	docs, err := scanAll(rows)
	if err != nil {
		return Document{}, fmt.Errorf("document.OfCabinet: %w", err)
	}
	if len(docs) == 0 {
		return Document{}, apperr.New(apperr.NotFound, "error.not_found")
	}
	return docs[0], nil
}

// Open returns the content of d.
func (s *Service) Open(ctx context.Context, d Document) (io.ReadCloser, error) {
	return s.Blobs.Get(ctx, d.BlobKey)
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
