class ReminderJob < ApplicationJob
  def perform(appointment_id)
    appointment = Appointment.find(appointment_id)
    AppointmentMailer.confirmation(appointment).deliver_now
  end
end
