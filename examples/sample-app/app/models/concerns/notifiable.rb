module Notifiable
  extend ActiveSupport::Concern

  included do
    after_create :send_confirmation
  end

  def send_confirmation
    AppointmentMailer.confirmation(self).deliver_now
  end
end
