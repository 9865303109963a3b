class AddStatusIndexConcurrently < ActiveRecord::Migration[7.2]
  disable_ddl_transaction!

  def change
    add_index :appointments, :status, algorithm: :concurrently
  end
end
