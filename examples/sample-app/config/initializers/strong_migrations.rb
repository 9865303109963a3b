StrongMigrations.start_after = 20240101000000
StrongMigrations.target_version = 16
