class RemovePhoneFromPatients < ActiveRecord::Migration[7.2]
  def change
    remove_column :patients, :phone, :string
    add_column :appointments, :metadata, :json
  end
end
