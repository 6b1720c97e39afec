package postgres

// The registry's advisory locks use PostgreSQL's two-key form,
// pg_advisory_xact_lock(class, key): the first key names what is locked,
// the second which one. Other users of the database (and batchctl's own
// single-key locks, if any) do not collide with these classes as long as
// they keep to other first keys.
const (
	// lockMigrate, with key 0, serializes the schema migrations of
	// processes opening the registry at once.
	lockMigrate int32 = 0x62630001
	// lockClaim, with key hashtext(fingerprint), serializes the
	// reservations of identical creates (ReserveJob). Two fingerprints
	// whose hashes collide only wait for each other.
	lockClaim int32 = 0x62630002
	// lockNamed, with key hashtext(name), holds the named locks of
	// jobs.Locker (locker.go) for as long as their session lives. Two
	// names whose hashes collide only exclude each other.
	lockNamed int32 = 0x62630003
)
