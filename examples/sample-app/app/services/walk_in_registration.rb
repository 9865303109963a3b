# Registers a walk-in patient and bumps the clinic's counter (concurrency/lost-update: two front desks
# registering at the same moment both read the old count and one increment is lost).
class WalkInRegistration
  def self.register!(clinic_id, name)
    clinic = Clinic.find(clinic_id)
    clinic.appointments_count += 1
    clinic.save!
    Patient.create!(clinic: clinic, name: name)
  end
end
