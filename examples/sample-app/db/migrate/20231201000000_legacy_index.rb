# Ran long before StrongMigrations.start_after: not checked.
class LegacyIndex < ActiveRecord::Migration[7.0]
  def change
    add_index :clinics, :name
  end
end
