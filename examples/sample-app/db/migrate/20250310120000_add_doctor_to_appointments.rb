class AddDoctorToAppointments < ActiveRecord::Migration[7.2]
  def change
    add_foreign_key :appointments, :doctors
    change_column_null :appointments, :starts_at, false
    add_index :appointments, [:doctor_id, :starts_at]
  end
end
