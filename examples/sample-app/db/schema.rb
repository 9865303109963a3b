# This file is auto-generated from the current state of the database.
ActiveRecord::Schema[7.2].define(version: 2025_02_20_000000) do
  enable_extension "plpgsql"

  create_table "clinics", force: :cascade do |t|
    t.string "name", null: false
    t.integer "appointments_count", default: 0, null: false
    t.datetime "created_at", null: false
    t.datetime "updated_at", null: false
  end

  create_table "patients", force: :cascade do |t|
    t.string "name", null: false
    t.string "email"
    t.string "phone"
    t.bigint "clinic_id", null: false
    t.datetime "created_at", null: false
    t.datetime "updated_at", null: false
    t.index ["clinic_id"], name: "index_patients_on_clinic_id"
  end

  create_table "doctors", force: :cascade do |t|
    t.string "name", null: false
    t.bigint "clinic_id", null: false
    t.datetime "created_at", null: false
    t.datetime "updated_at", null: false
  end

  create_table "appointments", force: :cascade do |t|
    t.bigint "patient_id", null: false
    t.bigint "doctor_id", null: false
    t.bigint "clinic_id", null: false
    t.datetime "starts_at"
    t.string "status", default: "scheduled", null: false
    t.text "notes"
    t.string "calendar_event_id"
    t.datetime "created_at", null: false
    t.datetime "updated_at", null: false
    t.index ["patient_id"], name: "index_appointments_on_patient_id"
  end

  add_foreign_key "appointments", "patients"
  add_foreign_key "patients", "clinics"
end
