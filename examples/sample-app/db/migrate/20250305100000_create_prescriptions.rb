class CreatePrescriptions < ActiveRecord::Migration[7.2]
  def change
    create_table :prescriptions do |t|
      t.references :appointment, null: false, foreign_key: true
      t.string :drug, null: false
      t.timestamps
    end

    add_index :prescriptions, :drug
  end
end
