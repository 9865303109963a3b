module Api
  class AppointmentsController < ApplicationController
    # Every scheduled appointment of every clinic in one JSON document (queries/unbounded-serialization).
    def index
      @appointments = Appointment.where(status: "scheduled").order(:starts_at)
      render json: @appointments
    end
  end
end
