class AppointmentMailer < ApplicationMailer
  def confirmation(appointment)
    @appointment = appointment
    mail(to: appointment.patient.email, subject: "Your appointment")
  end
end
