class NightlyRemindersJob < ApplicationJob
  def perform
    Appointment.where(status: "scheduled").each do |appointment|
      ReminderJob.perform_later(appointment.id)
    end
  end
end
