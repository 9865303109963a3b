class AddEmailIndexToPatients < ActiveRecord::Migration[7.2]
  def change
    add_index :patients, :email, unique: true
  end
end
